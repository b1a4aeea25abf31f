/**
 * A small hub on loopback for transport tests that speak the wire format
 * by hand (fetch, raw sockets), plus the few requests they repeat.
 *
 * @module
 */

import {
  defineHub,
  type HubProtocol,
  type HubServerOptions,
  jsonProtocol,
  messagePackProtocol,
} from "../../hub/mod.ts";
import { type HubFixture, serveHub } from "./hub_fixture.ts";

/** Methods the raw tests call. */
export const rawHub = defineHub({
  methods: {
    Echo(_ctx, value: unknown) {
      return value;
    },
    /** Sends `count` "item" events to the caller, then completes. */
    Burst(ctx, count: number) {
      for (let i = 0; i < count; i++) ctx.clients.caller.send("item", i);
    },
  },
});

/** A running raw hub; its `url` includes the hub path. */
export type RawHub = HubFixture;

/**
 * Starts `rawHub` at `/hub` on 127.0.0.1, port 0. Shutdown
 * drains for 200 ms only: hand-driven pollers are often not polling.
 */
export async function startRawHub(
  options: Partial<HubServerOptions> = {},
): Promise<RawHub> {
  const served = await serveHub(rawHub, {
    protocols: [jsonProtocol, messagePackProtocol] as HubProtocol[],
    shutdownDrainMs: 200,
    ...options,
  });
  return { ...served, url: `${served.url}/hub` };
}

/** Negotiates (version 1) and returns the connection token. */
export async function negotiate(url: string): Promise<string> {
  const res = await fetch(`${url}/negotiate?negotiateVersion=1`, {
    method: "POST",
  });
  const body = await res.json();
  return body.connectionToken as string;
}

/** A finished response: status and body as text and bytes. */
export interface RawResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly bytes: Uint8Array;
  readonly text: string;
}

/** Sends one request and reads the whole answer. */
export async function request(
  url: string,
  init: RequestInit = {},
): Promise<RawResponse> {
  const res = await fetch(url, init);
  const bytes = new Uint8Array(await res.arrayBuffer());
  return {
    status: res.status,
    headers: res.headers,
    bytes,
    text: new TextDecoder().decode(bytes),
  };
}

/** The record separator of JSON records and the handshake. */
export const RS = "\x1e";

/** A JSON invocation record of `target` with `args`, awaiting a completion. */
export function invoke(
  id: string,
  target: string,
  ...args: unknown[]
): string {
  return JSON.stringify({
    type: 1,
    invocationId: id,
    target,
    arguments: args,
  }) + RS;
}

/** The handshake record for `protocol`. */
export function handshake(protocol = "json"): string {
  return JSON.stringify({ protocol, version: 1 }) + RS;
}
