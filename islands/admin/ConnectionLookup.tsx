/**
 * Look up a chart connection of the serving process by id, and disconnect
 * it (the client may reconnect, as a new connection).
 *
 * @module
 */

import { useSignal } from "@preact/signals";
import type { AdminConnection } from "../../chart/admin_contract.ts";
import type { AdminHub } from "./use_admin_hub.ts";

/** The lookup form and its result. */
export function ConnectionLookup({ hub }: { readonly hub: AdminHub }) {
  const id = useSignal("");
  const found = useSignal<AdminConnection | null | undefined>(undefined);
  const note = useSignal<string | null>(null);
  const run = async (fn: () => Promise<void>) => {
    note.value = null;
    try {
      await fn();
    } catch (error) {
      note.value = error instanceof Error ? error.message : String(error);
    }
  };
  const lookUp = (event: Event) => {
    event.preventDefault();
    void run(async () => {
      found.value = await hub.invoke("LookupConnection", id.value.trim());
    });
  };
  const disconnect = (target: string) =>
    run(async () => {
      const done = await hub.invoke("Disconnect", target);
      note.value = done ? `Disconnected ${target}` : "Not on this process";
      found.value = undefined;
    });
  const c = found.value;
  return (
    <section class="admin-lookup">
      <h2>Connection</h2>
      <form class="row" onSubmit={lookUp}>
        <label>
          Connection id{" "}
          <input
            value={id.value}
            onInput={(e) => id.value = (e.target as HTMLInputElement).value}
            maxLength={100}
            data-testid="lookup-id"
          />
        </label>
        <button type="submit" data-testid="lookup-button">Look up</button>
      </form>
      {c === null && <p data-testid="lookup-none">Not on this process.</p>}
      {c && (
        <dl data-testid="lookup-result">
          <dt>User</dt>
          <dd>{c.user ?? "anonymous"}</dd>
          <dt>Groups</dt>
          <dd data-testid="lookup-groups">{c.groups.join(", ") || "none"}</dd>
          <dt>Transport</dt>
          <dd>{c.transport} / {c.protocol}</dd>
          <dt>Queued bytes</dt>
          <dd>{c.queuedBytes}</dd>
          <dd>
            <button
              type="button"
              data-testid="disconnect-button"
              onClick={() => disconnect(c.id)}
            >
              Disconnect
            </button>
          </dd>
        </dl>
      )}
      {note.value && <p role="status" data-testid="lookup-note">{note.value}
      </p>}
    </section>
  );
}
