/** A fenced code block of a Markdown file: its info string (`sh`, `ts`...) and its text. */
export interface CodeBlock {
  readonly lang: string;
  readonly code: string;
}

/** The text of the `## <title>` section of a Markdown document, up to the next `## ` heading. */
export function section(markdown: string, title: string): string {
  const start = markdown.indexOf(`\n## ${title}\n`);
  if (start < 0) throw new Error(`no '## ${title}' section`);
  const end = markdown.indexOf('\n## ', start + 1);
  return markdown.slice(start, end < 0 ? undefined : end);
}

/** Every fenced (```) code block of `markdown`, in order. */
export function codeBlocks(markdown: string): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  const fence = /^```(\S*)[^\n]*\n([\s\S]*?)^```[ \t]*$/gm;
  for (const match of markdown.matchAll(fence)) blocks.push({ lang: match[1] ?? '', code: match[2] ?? '' });
  return blocks;
}

/** The one block that `test` picks; throws if there is none or more than one. */
export function onlyBlock(blocks: CodeBlock[], what: string, test: (block: CodeBlock) => boolean): CodeBlock {
  const found = blocks.filter(test);
  if (found.length !== 1) throw new Error(`expected one ${what} block in the Quick start, found ${found.length}`);
  return found[0] as CodeBlock;
}

/**
 * The blocks that are files: their first line is a comment naming the file
 * (`// tasks.ts`, `// tsconfig.json`). Maps each name to its text.
 */
export function fileBlocks(blocks: CodeBlock[]): Map<string, string> {
  const files = new Map<string, string>();
  for (const { code } of blocks) {
    const name = /^\/\/ ([\w.-]+\.(?:ts|json))\n/.exec(code)?.[1];
    if (name) files.set(name, code);
  }
  return files;
}
