export function Notice({ text }: { text: string }) {
  return (
    <div className="notice">
      {/* TODO: style this */}
      <p>TODO: {text}</p>
    </div>
  );
}
