/**
 * Who you are, sign up / in / out, and messages to and from users.
 *
 * Every tab of a signed-in user holds its own hub connection under the
 * same user id, so a `BroadcastToUser` shows up in all of them.
 *
 * @module
 */

import { useEffect, useRef, useState } from "preact/hooks";
import type { HubConnection } from "@microsoft/signalr";
import { signIn, signOut, signUp, whoAmI } from "./user_panel/user_api.ts";
import { connectUserHub } from "./user_panel/user_hub.ts";

/** Messages kept on screen; older ones scroll away (bounded list). */
const MAX_MESSAGES = 50;

/** The user panel island. */
export default function UserPanel() {
  const [me, setMe] = useState<string | null | undefined>(undefined);
  useEffect(() => {
    whoAmI().then(setMe, () => setMe(null));
  }, []);
  const { messages, hubState, connection } = useUserHub(me, setMe);

  return (
    <section class="user-panel" data-testid="user-panel">
      <p>
        <span data-testid="whoami">
          {me === undefined ? "…" : me ?? "anonymous"}
        </span>{" "}
        <small data-testid="hub-state">{hubState}</small>
      </p>
      {
        /* Rendered on the server too (me unknown), so the plain form post
          works before or without JavaScript. */
      }
      {!me && <SignInForm onSignedIn={setMe} />}
      {me && <SignOutButton onSignedOut={() => setMe(null)} />}
      {me && <SendForm connection={connection} />}
      <ul data-testid="user-messages">
        {messages.map((text, i) => (
          <li key={i} data-testid="user-message">{text}</li>
        ))}
      </ul>
    </section>
  );
}

/**
 * The panel's hub connection while signed in: a new one per identity,
 * since the hub fixes a connection's user when it connects.
 */
function useUserHub(
  me: string | null | undefined,
  setMe: (name: string | null) => void,
) {
  const [messages, setMessages] = useState<string[]>([]);
  const [hubState, setHubState] = useState("disconnected");
  const connection = useRef<HubConnection | null>(null);
  useEffect(() => {
    if (!me) return setHubState("signed out");
    let stopped = false;
    connectUserHub({
      message: (text) =>
        setMessages((list) => [...list, text].slice(-MAX_MESSAGES)),
      state: (state) => !stopped && setHubState(state),
      // A reconnect after the session ran out comes back anonymous: ask
      // again who we are rather than show a name the hub no longer has.
      reconnected: () => whoAmI().then((name) => !stopped && setMe(name)),
    }).then((c) => {
      if (stopped) c.stop();
      else connection.current = c;
    }, () => !stopped && setHubState("failed"));
    return () => {
      stopped = true;
      connection.current?.stop();
      connection.current = null;
    };
  }, [me]);
  return { messages, hubState, connection };
}

function SignInForm(props: { onSignedIn(name: string): void }) {
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState("");
  const run = async (create: boolean) => {
    setError("");
    if (create) {
      const made = await signUp(username, password);
      if (!made.ok) return setError(made.error);
    }
    const result = await signIn(username, password);
    if (result.ok) props.onSignedIn(username);
    else setError(result.error);
  };
  return (
    <form
      method="post"
      action="/api/session"
      onSubmit={(e) => {
        e.preventDefault();
        run(false);
      }}
    >
      <input
        name="username"
        data-testid="auth-username"
        autocomplete="username"
        placeholder="username"
        value={username}
        onInput={(e) => setUsername(e.currentTarget.value)}
      />
      <input
        name="password"
        type="password"
        data-testid="auth-password"
        autocomplete="current-password"
        placeholder="password (8+ characters)"
        value={password}
        onInput={(e) => setPassword(e.currentTarget.value)}
      />
      <button type="submit" data-testid="signin">Sign in</button>
      <button type="button" data-testid="signup" onClick={() => run(true)}>
        Sign up
      </button>
      {error && <p role="alert" data-testid="auth-error">{error}</p>}
    </form>
  );
}

function SignOutButton(props: { onSignedOut(): void }) {
  return (
    <button
      type="button"
      data-testid="signout"
      onClick={async () => {
        await signOut();
        props.onSignedOut();
      }}
    >
      Sign out
    </button>
  );
}

function SendForm(props: { connection: { current: HubConnection | null } }) {
  const [to, setTo] = useState("");
  const [text, setText] = useState("");
  const [status, setStatus] = useState("");
  const send = async () => {
    const connection = props.connection.current;
    if (!connection) return setStatus("Not connected yet");
    try {
      await connection.invoke("BroadcastToUser", text, to);
      setStatus(`Sent to ${to}`);
    } catch (error) {
      setStatus((error as Error).message);
    }
  };
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        send();
      }}
    >
      <input
        data-testid="send-to"
        placeholder="to user"
        value={to}
        onInput={(e) => setTo(e.currentTarget.value)}
      />
      <input
        data-testid="send-text"
        placeholder="message"
        value={text}
        onInput={(e) => setText(e.currentTarget.value)}
      />
      <button type="submit" data-testid="send-button">Send to user</button>
      {status && <small data-testid="send-status">{status}</small>}
    </form>
  );
}
