/**
 * The admin page's own connection to `/admin-hub`: the latest snapshot and
 * a 5-minute traffic chart, seeded from `GetHistory` on every (re)connect.
 *
 * @module
 */

import {
  type HubConnection,
  HubConnectionBuilder,
  LogLevel,
} from "@microsoft/signalr";
import { type Signal, useSignal } from "@preact/signals";
import { type RefObject } from "preact";
import { useEffect, useRef } from "preact/hooks";
import { LiveLineChart } from "../chart_hub/line_chart.ts";
import {
  ADMIN_HISTORY_SECONDS,
  type AdminSample,
  type AdminSnapshot,
} from "../../chart/admin_contract.ts";

/** What the dashboard renders from. */
export interface AdminHub {
  readonly snapshot: Signal<AdminSnapshot | null>;
  readonly state: Signal<"connecting" | "connected" | "reconnecting">;
  /** Invokes an admin method; rejects when not connected. */
  invoke<T>(method: string, ...args: unknown[]): Promise<T>;
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
  const hub = useRef<HubConnection | null>(null);
  useEffect(() => {
    const chart = new LiveLineChart(canvas.current!, ADMIN_HISTORY_SECONDS);
    const connection = new HubConnectionBuilder()
      .withUrl(hubPath)
      .withAutomaticReconnect()
      .configureLogging(LogLevel.Warning)
      .build();
    const seed = async () => {
      state.value = "connected";
      const history = await connection.invoke<AdminSample[]>("GetHistory");
      chart.replace(
        history.map((s) => ({ series: series(s), time: new Date(s.at) })),
      );
    };
    connection.on("adminstats", (s: AdminSnapshot) => {
      snapshot.value = s;
      chart.push(series(s.sample), new Date(s.sample.at));
    });
    connection.onreconnecting(() => state.value = "reconnecting");
    connection.onreconnected(() => void seed().catch(() => {}));
    connection.start().then(seed).catch(() => state.value = "reconnecting");
    hub.current = connection;
    return () => {
      void connection.stop();
      chart.destroy();
    };
  }, [hubPath]);
  return {
    snapshot,
    state,
    invoke<T>(method: string, ...args: unknown[]) {
      const c = hub.current;
      if (!c || state.value !== "connected") {
        return Promise.reject(new Error("Not connected to the admin hub"));
      }
      return c.invoke<T>(method, ...args);
    },
  };
}
