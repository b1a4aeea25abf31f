/**
 * Groups and direct messages over the tab's shared hub connection: join or
 * leave a group, announce yourself to it (`BroadcastToGroup` →
 * `broadcasttogroup`), and message one connection id
 * (`BroadcastToConnection` → `broadcasttoclient`).
 *
 * @module
 */

import { useSignal, useSignalEffect } from "@preact/signals";
import { useEffect } from "preact/hooks";
import {
  chartConnection,
  connectionId,
  invoke,
} from "./chart_hub/chart_connection.ts";
import { type Message, MessageList } from "./chart_hub/MessageList.tsx";

/** Props set by the page. */
export interface GroupsPanelProps {
  readonly hubPath: string;
  /** Group name filled in at first. */
  readonly defaultGroup: string;
}

/** Messages kept per list; older ones are dropped. */
const MAX_MESSAGES = 50;
/** Groups one tab may be in at once. */
const MAX_GROUPS = 10;

/** The groups and direct messages island. */
export default function GroupsPanel(
  { hubPath, defaultGroup }: GroupsPanelProps,
) {
  const groupName = useSignal(defaultGroup);
  const joined = useSignal<readonly string[]>([]);
  const received = useSignal<readonly Message[]>([]);
  const target = useSignal("");
  const text = useSignal("");
  const problem = useSignal<string | null>(null);

  useEffect(() => {
    const hub = chartConnection(hubPath);
    const add = (kind: Message["kind"]) => (value: unknown) => {
      const message = { kind, text: String(value), at: new Date() };
      received.value = [message, ...received.value].slice(0, MAX_MESSAGES);
    };
    const onGroup = add("group");
    const onDirect = add("direct");
    hub.on("broadcasttogroup", onGroup);
    hub.on("broadcasttoclient", onDirect);
    return () => {
      hub.off("broadcasttogroup", onGroup);
      hub.off("broadcasttoclient", onDirect);
    };
  }, [hubPath]);

  // A reconnect is a new connection with no groups: join them again.
  useSignalEffect(() => {
    if (!connectionId.value) return;
    for (const group of joined.peek()) {
      void run(() => invoke("AddToGroup", group));
    }
  });

  async function run(action: () => Promise<unknown>): Promise<boolean> {
    problem.value = null;
    try {
      await action();
      return true;
    } catch (error) {
      problem.value = error instanceof Error ? error.message : String(error);
      return false;
    }
  }

  const group = () => groupName.value.trim();
  const join = async () => {
    const name = group();
    if (!name || joined.value.includes(name)) return;
    if (joined.value.length >= MAX_GROUPS) {
      problem.value = `At most ${MAX_GROUPS} groups at once.`;
      return;
    }
    if (await run(() => invoke("AddToGroup", name))) {
      joined.value = [...joined.value, name];
    }
  };
  const leave = async (name: string) => {
    if (await run(() => invoke("RemoveFromGroup", name))) {
      joined.value = joined.value.filter((g) => g !== name);
    }
  };
  const announce = () =>
    group() && run(() => invoke("BroadcastToGroup", group()));
  const sendDirect = async (event: Event) => {
    event.preventDefault();
    const to = target.value.trim();
    if (!to || !text.value) return;
    if (await run(() => invoke("BroadcastToConnection", text.value, to))) {
      text.value = "";
    }
  };

  return (
    <section
      class="groups"
      aria-labelledby="groups-title"
      data-testid="groups-panel"
    >
      <h2 id="groups-title">Groups and direct messages</h2>
      <form class="row" onSubmit={(e) => (e.preventDefault(), join())}>
        <label class="grow">
          Group
          <input
            value={groupName.value}
            maxLength={64}
            data-testid="group-name"
            onInput={(e) => groupName.value = e.currentTarget.value}
          />
        </label>
        <button type="submit" data-testid="group-join">Join</button>
        <button type="button" data-testid="group-send" onClick={announce}>
          Send to group
        </button>
      </form>
      <ul class="chips" aria-label="Groups you are in">
        {joined.value.map((name) => (
          <li key={name}>
            {name}
            <button
              type="button"
              aria-label={`Leave ${name}`}
              onClick={() => leave(name)}
            >
              ×
            </button>
          </li>
        ))}
      </ul>
      <form class="row" onSubmit={sendDirect}>
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
      {problem.value && <p class="problem" role="alert">{problem.value}</p>}
      <MessageList messages={received.value} />
    </section>
  );
}
