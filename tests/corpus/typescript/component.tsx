import * as React from "react";

type Props<T> = { items: T[]; render: (item: T) => React.ReactNode };

export function List<T>({ items, render }: Props<T>) {
  return <ul>{items.map((item, i) => <li key={i}>{render(item)}</li>)}</ul>;
}

export const Table = <T,>({ items }: Props<T>) => {
  throw new Error("Not implemented");
};
