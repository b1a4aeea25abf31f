/**
 * Sends a text to one connection id (`BroadcastToConnection`).
 *
 * @module
 */

import { useSignal } from "@preact/signals";

/** Props of the direct message form. */
export interface DirectMessageFormProps {
  /** Sends; resolves true when the hub accepted it. */
  send(text: string, connectionId: string): Promise<boolean>;
}

/** The "to connection id" form. */
export function DirectMessageForm({ send }: DirectMessageFormProps) {
  const target = useSignal("");
  const text = useSignal("");
  const submit = async (event: Event) => {
    event.preventDefault();
    const to = target.value.trim();
    if (!to || !text.value) return;
    if (await send(text.value, to)) text.value = "";
  };
  return (
    <form class="row" onSubmit={submit}>
      <label class="grow">
        To connection id
        <input
          value={target.value}
          maxLength={128}
          data-testid="direct-target"
          onInput={(e) => target.value = e.currentTarget.value}
        />
      </label>
      <label class="grow">
        Message
        <input
          value={text.value}
          maxLength={500}
          data-testid="direct-text"
          onInput={(e) => text.value = e.currentTarget.value}
        />
      </label>
      <button type="submit" data-testid="direct-send">Send</button>
    </form>
  );
}
