/**
 * What this tab received from groups and other connections, newest first.
 *
 * @module
 */

/** One received message. */
export interface Message {
  readonly kind: "group" | "direct";
  readonly text: string;
  readonly at: Date;
}

/** The received-messages log. */
export function MessageList({ messages }: { messages: readonly Message[] }) {
  return (
    <div class="messages">
      <h3>Received</h3>
      {messages.length === 0
        ? (
          <p class="muted">
            Nothing yet. Join a group, or give someone your connection id.
          </p>
        )
        : (
          <ol aria-live="polite" data-testid="received-messages">
            {messages.map((m, i) => (
              <li key={messages.length - i} data-kind={m.kind}>
                <span class="tag">
                  {m.kind === "group" ? "group" : "direct"}
                </span>
                <span class="text">{m.text}</span>
                <time dateTime={m.at.toISOString()}>
                  {m.at.toLocaleTimeString([], { hour12: false })}
                </time>
              </li>
            ))}
          </ol>
        )}
    </div>
  );
}
