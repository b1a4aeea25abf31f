/**
 * Sends a text to one connection id (`BroadcastToConnection`).
 *
 * @module
 */

import { useSignal } from "@preact/signals";
import { TextField } from "./TextField.tsx";

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
      <TextField
        label="To connection id"
        value={target}
        maxLength={128}
        testId="direct-target"
      />
      <TextField
        label="Message"
        value={text}
        maxLength={500}
        testId="direct-text"
      />
      <button type="submit" data-testid="direct-send">Send</button>
    </form>
  );
}
