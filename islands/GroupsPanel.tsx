/**
 * Groups and direct messages over the tab's shared hub connection: join or
 * leave a group, announce yourself to it (`BroadcastToGroup` →
 * `broadcasttogroup`), and message one connection id
 * (`BroadcastToConnection` → `broadcasttoclient`).
 *
 * @module
 */

import { useSignal, useSignalEffect } from "@preact/signals";
import { connectionId, invoke } from "./chart_hub/chart_connection.ts";
import { MessageList } from "./chart_hub/MessageList.tsx";
import { DirectMessageForm } from "./chart_hub/DirectMessageForm.tsx";
import { TextField } from "./chart_hub/TextField.tsx";
import { useHubMessages } from "./chart_hub/use_hub_messages.ts";
import { useGroupPresence } from "./chart_hub/use_group_presence.ts";

/** Props set by the page. */
export interface GroupsPanelProps {
  readonly hubPath: string;
  /** Group name filled in at first. */
  readonly defaultGroup: string;
}

/** Groups one tab may be in at once. */
const MAX_GROUPS = 10;

/** The groups and direct messages island. */
export default function GroupsPanel(
  { hubPath, defaultGroup }: GroupsPanelProps,
) {
  const groupName = useSignal(defaultGroup);
  const joined = useSignal<readonly string[]>([]);
  const problem = useSignal<string | null>(null);
  const received = useHubMessages(hubPath);
  const presence = useGroupPresence(
    hubPath,
    (group) => joined.peek().includes(group),
  );

  // Runs a hub call, showing its error; resolves true on success.
  const run = async (call: () => Promise<unknown>) => {
    problem.value = null;
    try {
      await call();
      return true;
    } catch (error) {
      problem.value = error instanceof Error ? error.message : String(error);
      return false;
    }
  };

  // A reconnect is a new connection with no groups: join them again.
  const rejoin = async (group: string) => {
    if (await run(() => invoke("AddToGroup", group))) {
      await presence.refresh(group).catch(() => {});
    }
  };
  useSignalEffect(() => {
    if (!connectionId.value) return;
    for (const group of joined.peek()) void rejoin(group);
  });

  const join = async (event: Event) => {
    event.preventDefault();
    const name = groupName.value.trim();
    if (!name || joined.value.includes(name)) return;
    if (joined.value.length >= MAX_GROUPS) {
      problem.value = `At most ${MAX_GROUPS} groups at once.`;
    } else if (await run(() => invoke("AddToGroup", name))) {
      joined.value = [...joined.value, name];
      await presence.refresh(name).catch(() => {});
    }
  };
  const leave = async (name: string) => {
    if (await run(() => invoke("RemoveFromGroup", name))) {
      joined.value = joined.value.filter((g) => g !== name);
      presence.forget(name);
    }
  };
  const announce = () => {
    const name = groupName.value.trim();
    if (name) void run(() => invoke("BroadcastToGroup", name));
  };

  return (
    <section
      class="groups"
      aria-labelledby="groups-title"
      data-testid="groups-panel"
    >
      <h2 id="groups-title">Groups and direct messages</h2>
      <form class="row" onSubmit={join}>
        <TextField
          label="Group"
          value={groupName}
          maxLength={64}
          testId="group-name"
        />
        <button type="submit" data-testid="group-join">Join</button>
        <button type="button" data-testid="group-send" onClick={announce}>
          Send to group
        </button>
      </form>
      <ul class="chips" aria-label="Groups you are in">
        {joined.value.map((name) => (
          <li key={name}>
            {name}
            <span class="watching" data-testid={`watching-${name}`}>
              {presence.watching.value[name] ?? "…"} watching
            </span>
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
      <DirectMessageForm
        send={(text, to) =>
          run(() => invoke("BroadcastToConnection", text, to))}
      />
      {problem.value && <p class="problem" role="alert">{problem.value}</p>}
      <MessageList messages={received.value} />
    </section>
  );
}
