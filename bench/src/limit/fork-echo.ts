/** The limit's bare fork child: answers each number with its square. No pool library, no parapool. */
process.on('message', (n: number) => {
  process.send?.(n * n);
});
