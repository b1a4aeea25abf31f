/**
 * Who you are, sign up / in / out, and messages to and from users.
 *
 * The tab's shared hub connection carries the session cookie, so while
 * signed in it belongs to the user and a `BroadcastToUser` shows up in
 * every tab of theirs. The hub fixes a connection's user when it connects,
 * so signing in or out restarts that connection.
 *
 * @module
 */

import { useEffect, useState } from "preact/hooks";
import { signIn, signOut, signUp, whoAmI } from "./user_panel/user_api.ts";
import {
  chartConnection,
  connectionId,
  connectionState,
  invoke,
  restartConnection,
} from "./chart_hub/chart_connection.ts";

/** Messages kept on screen; older ones scroll away (bounded list). */
const MAX_MESSAGES = 50;

/** The user panel island. */
export default function UserPanel() {
  const [me, setMe] = useState<string | null | undefined>(undefined);
  useEffect(() => {
    whoAmI().then(setMe, () => setMe(null));
  }, []);
  const messages = useUserMessages();
  useSessionCheck(me, setMe);
  const switchUser = (name: string | null) => {
    // Before setMe, so "connected" never shows for the old identity.
    void restartConnection();
    setMe(name);
  };

  return (
    <section class="user-panel" data-testid="user-panel">
      <p>
        <span data-testid="whoami">
          {me === undefined ? "…" : me ?? "anonymous"}
        </span>{" "}
        <small data-testid="hub-state">
          {me ? connectionState.value : "signed out"}
        </small>
      </p>
      {
        /* Rendered on the server too (me unknown), so the plain form post
          works before or without JavaScript. */
      }
      {!me && <SignInForm onSignedIn={switchUser} />}
      {me && <SignOutButton onSignedOut={() => switchUser(null)} />}
      {me && <SendForm />}
      <ul data-testid="user-messages">
        {messages.map((text, i) => (
          <li key={i} data-testid="user-message">{text}</li>
        ))}
      </ul>
    </section>
  );
}

/** `broadcasttouser` messages for the signed-in user, newest last. */
function useUserMessages(): string[] {
  const [messages, setMessages] = useState<string[]>([]);
  useEffect(() => {
    const hub = chartConnection();
    const onMessage = (data: unknown) =>
      setMessages((list) => [...list, String(data)].slice(-MAX_MESSAGES));
    return hub.on("broadcasttouser", onMessage);
  }, []);
  return messages;
}

/**
 * Asks again who we are on each new connection while signed in: one made
 * after the session ran out is anonymous, and the panel should not show a
 * name the hub no longer has.
 */
function useSessionCheck(
  me: string | null | undefined,
  setMe: (name: string | null) => void,
) {
  const id = connectionId.value;
  useEffect(() => {
    if (!id || !me) return;
    let current = true;
    whoAmI().then((name) => current && setMe(name), () => {});
    return () => {
      current = false;
    };
  }, [id]);
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

function SendForm() {
  const [to, setTo] = useState("");
  const [text, setText] = useState("");
  const [status, setStatus] = useState("");
  const send = async () => {
    try {
      await invoke("BroadcastToUser", text, to);
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
