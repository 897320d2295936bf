import { describe, expect, it } from 'vitest';
import { defineTasks } from '../src/tasks.js';
import { registeredClass, registeredNameOf } from '../src/wire/class-registry.js';

const url = 'file:///virtual/registry-tasks.js';

describe('registering classes with defineTasks', () => {
  it('registers each class under its key, once', () => {
    class Money {
      constructor(public cents: number) {}
    }
    defineTasks(url, {}, { classes: { RegistryMoney: Money } });
    defineTasks(url, {}, { classes: { RegistryMoney: Money } }); // the same again: fine
    expect(registeredClass('RegistryMoney')).toBe(Money);
    expect(registeredNameOf(new Money(1))).toBe('RegistryMoney');
  });

  it('refuses what is not a class, built-ins, and names or classes used twice', () => {
    class A {}
    class B {
      b = 1;
    }
    defineTasks(url, {}, { classes: { RegistryA: A } });
    expect(() => defineTasks(url, {}, { classes: { Bad: 5 as never } })).toThrow(/not a class/);
    expect(() => defineTasks(url, {}, { classes: { MyMap: Map } })).toThrow(/crosses the boundary already/);
    expect(() => defineTasks(url, {}, { classes: [A] as never })).toThrow(/object of classes by name/);
    expect(() => defineTasks(url, {}, { classes: { RegistryA: B } })).toThrow(/Two different classes/);
    expect(() => defineTasks(url, {}, { classes: { RegistryAlias: A } })).toThrow(/already registered as 'RegistryA'/);
  });

  it('lets a module evaluated twice register its (identical) class again', () => {
    const make = () =>
      class Twice {
        value = 1;
      };
    const first = make();
    const second = make();
    defineTasks(url, {}, { classes: { RegistryTwice: first } });
    defineTasks(url, {}, { classes: { RegistryTwice: second } });
    expect(registeredClass('RegistryTwice')).toBe(second);
    expect(registeredNameOf(new first())).toBeUndefined();
    expect(registeredNameOf(new second())).toBe('RegistryTwice');
  });
});
