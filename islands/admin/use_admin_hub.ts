/**
 * The admin page's own connection to `/admin-hub`: the latest snapshot and
 * a 5-minute traffic chart, seeded from `GetHistory` on every (re)connect.
 * Calls and events go through `typedConnection<AdminServer, AdminClient>`,
 * so `deno task check` holds them to chart/admin_contract.ts.
 *
 * @module
 */

import { HubConnectionBuilder, LogLevel } from "@microsoft/signalr";
import { type Signal, useSignal } from "@preact/signals";
import { type RefObject } from "preact";
import { useEffect, useRef } from "preact/hooks";
import { LiveLineChart } from "../chart_hub/line_chart.ts";
import {
  typedConnection,
  type TypedHubConnection,
} from "../../hub/typed_connection.ts";
import {
  ADMIN_HISTORY_SECONDS,
  type AdminClient,
  type AdminSample,
  type AdminServer,
  type AdminSnapshot,
} from "../../chart/admin_contract.ts";

/** The admin hub as its contract types it. */
type TypedAdminHub = TypedHubConnection<AdminServer, AdminClient>;

/** What the dashboard renders from. */
export interface AdminHub {
  readonly snapshot: Signal<AdminSnapshot | null>;
  readonly state: Signal<"connecting" | "connected" | "reconnecting">;
  /** Invokes an admin method; rejects when not connected. */
  readonly invoke: TypedAdminHub["invoke"];
}

function series(s: AdminSample) {
  return [
    { label: "messages in/s", data: [s.messagesIn] },
    { label: "messages out/s", data: [s.messagesOut] },
    { label: "slow-consumer closes", data: [s.slowConsumerCloses] },
  ];
}

/** Connects once per page; draws into `canvas`. */
export function useAdminHub(
  hubPath: string,
  canvas: RefObject<HTMLCanvasElement>,
): AdminHub {
  const snapshot = useSignal<AdminSnapshot | null>(null);
  const state = useSignal<AdminHub["state"]["value"]>("connecting");
  const hub = useRef<TypedAdminHub | null>(null);
  useEffect(() => {
    const chart = new LiveLineChart(canvas.current!, ADMIN_HISTORY_SECONDS);
    const connection = new HubConnectionBuilder()
      .withUrl(hubPath)
      .withAutomaticReconnect()
      .configureLogging(LogLevel.Warning)
      .build();
    const admin = typedConnection<AdminServer, AdminClient>(connection);
    const seed = async () => {
      state.value = "connected";
      const history = await admin.invoke("GetHistory");
      chart.replace(
        history.map((s) => ({ series: series(s), time: new Date(s.at) })),
      );
    };
    admin.on("adminstats", (s) => {
      snapshot.value = s;
      chart.push(series(s.sample), new Date(s.sample.at));
    });
    connection.onreconnecting(() => state.value = "reconnecting");
    connection.onreconnected(() => void seed().catch(() => {}));
    connection.start().then(seed).catch(() => state.value = "reconnecting");
    hub.current = admin;
    return () => {
      void connection.stop();
      chart.destroy();
    };
  }, [hubPath]);
  return {
    snapshot,
    state,
    invoke: (method, ...args) => {
      const c = hub.current;
      if (!c || state.value !== "connected") {
        return Promise.reject(new Error("Not connected to the admin hub"));
      }
      return c.invoke(method, ...args);
    },
  };
}
