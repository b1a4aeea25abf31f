/**
 * The admin page: live figures of the cluster for the users named in
 * `ADMIN_USERS`. Anonymous visitors get a sign-in form (401), other users
 * a refusal (403). The figures come over the admin hub, which checks again.
 *
 * @module
 */

import type { Handlers, PageProps } from "../web/route_types.ts";
import type { AppState } from "../app_state.ts";
import AdminDashboard from "../islands/AdminDashboard.tsx";

/** What the handler decided. */
export type AdminView =
  | { readonly view: "sign-in" }
  | { readonly view: "forbidden"; readonly user: string }
  | { readonly view: "admin"; readonly user: string };

/** Decides from the session cookie, never from the query. */
export const handler: Handlers<AppState, AdminView> = {
  async GET(ctx) {
    const principal = await ctx.state.users?.authenticate(ctx.req);
    if (!principal) return { data: { view: "sign-in" }, status: 401 };
    const user = principal.userId;
    if (!ctx.state.admins?.has(user)) {
      return { data: { view: "forbidden", user }, status: 403 };
    }
    return { data: { view: "admin", user } };
  },
};

/** The page for each view. */
export default function AdminPage({ data }: PageProps<AdminView>) {
  return (
    <main class="layout admin">
      <div class="intro">
        <h1>Admin</h1>
        {data.view === "admin" && (
          <p>
            Signed in as{" "}
            <strong>{data.user}</strong>. Figures update every second.
          </p>
        )}
      </div>
      {data.view === "sign-in" && <SignIn />}
      {data.view === "forbidden" && (
        <p class="card problem" role="alert" data-testid="admin-forbidden">
          {data.user}{" "}
          is not an administrator. Ask for your username to be added to{" "}
          <code>ADMIN_USERS</code>.
        </p>
      )}
      {data.view === "admin" && <AdminDashboard hubPath="/admin-hub" />}
    </main>
  );
}

/** A plain form: works without JavaScript, lands back here. */
function SignIn() {
  return (
    <form
      class="card"
      method="post"
      action="/api/session?next=/admin"
      data-testid="admin-sign-in"
    >
      <h2>Sign in</h2>
      <label>
        Username <input name="username" autocomplete="username" required />
      </label>
      <label>
        Password{" "}
        <input
          name="password"
          type="password"
          autocomplete="current-password"
          required
        />
      </label>
      <button type="submit">Sign in</button>
    </form>
  );
}
