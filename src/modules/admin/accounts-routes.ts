import { Elysia } from "elysia";
import type { Database } from "../../db/client";
import { errorEnvelope } from "../../lib/http";
import { listAudit } from "./audit-query";
import type { AccountsService } from "./accounts-service";
import {
  accountIdParams,
  accountListView,
  accountStatusBody,
  accountsQuery,
  accountView,
  auditListView,
  auditQuery,
  createAccountBody,
  createdAccountView,
  createUserBody,
  passwordBody,
  roleBody,
  settingBody,
  settingKeyParams,
  settingListView,
  settingView,
  toAccountView,
  toAuditEntryView,
  toSettingView,
  toUserView,
  userIdParams,
  userListView,
  usersQuery,
  userView,
} from "./accounts-model";
import type { AuthService } from "./auth-service";
import { requireRole } from "./require-role";
import type { SettingsService } from "./settings";
import { statsView, toStatsView } from "./stats-model";
import type { collectStats } from "./stats";
import type { UsersService } from "./users-service";

const secured = { security: [{ bearer: [] }] };
const adminErrors = {
  400: errorEnvelope,
  401: errorEnvelope,
  403: errorEnvelope,
  404: errorEnvelope,
  409: errorEnvelope,
  422: errorEnvelope,
  429: errorEnvelope,
} as const;

export interface AccountsRoutesDeps {
  auth: AuthService;
  accounts: AccountsService;
  users: UsersService;
  settings: SettingsService;
  db: Database;
  stats: () => ReturnType<typeof collectStats>;
}

/**
 * Accounts, users, audit, settings and stats under /api/v1/admin. Super admins manage
 * everything, moderators read, and account admins manage their own account's users.
 */
export function accountsRoutes(deps: AccountsRoutesDeps) {
  return new Elysia({ prefix: "/api/v1/admin", tags: ["admin"] })
    .use(requireRole(deps.auth, "SUPER_ADMIN", "MODERATOR", "ADMIN"))
    .get(
      "/accounts",
      async ({ auth, query }) => {
        const page = { limit: query.limit ?? 50, offset: query.offset ?? 0 };
        const { total, items } = await deps.accounts.list(auth, { q: query.q, status: query.status, ...page });
        return { total, ...page, items: items.map(toAccountView) };
      },
      {
        query: accountsQuery,
        response: { 200: accountListView, ...adminErrors },
        detail: { summary: "Accounts, newest first, searched by name; super admins and moderators", ...secured },
      },
    )
    .post(
      "/accounts",
      async ({ auth, body, set }) => {
        const { account, userId } = await deps.accounts.create(auth, body);
        set.status = 201;
        return { account: toAccountView(account), user_id: userId };
      },
      {
        body: createAccountBody,
        response: { 201: createdAccountView, ...adminErrors },
        detail: { summary: "Create an account with its first user, an ADMIN of it; super admins", ...secured },
      },
    )
    .get("/accounts/:id", async ({ auth, params }) => toAccountView(await deps.accounts.get(auth, params.id)), {
      params: accountIdParams,
      response: { 200: accountView, ...adminErrors },
      detail: { summary: "One account; an account admin sees only their own", ...secured },
    })
    .put(
      "/accounts/:id/status",
      async ({ auth, params, body }) => toAccountView(await deps.accounts.setStatus(auth, params.id, body.status)),
      {
        params: accountIdParams,
        body: accountStatusBody,
        response: { 200: accountView, ...adminErrors },
        detail: { summary: "Suspend or reactivate an account; its users get 403 ACCOUNT_SUSPENDED while suspended", ...secured },
      },
    )
    .get(
      "/users",
      async ({ auth, query }) => {
        const page = { limit: query.limit ?? 50, offset: query.offset ?? 0 };
        const filter = { q: query.q, accountId: query.account_id, role: query.role, active: query.active, ...page };
        const { total, items } = await deps.users.list(auth, filter);
        return { total, ...page, items: items.map(toUserView) };
      },
      {
        query: usersQuery,
        response: { 200: userListView, ...adminErrors },
        detail: { summary: "Users, newest first, searched by email; an account admin sees only their own account", ...secured },
      },
    )
    .post(
      "/users",
      async ({ auth, body, set }) => {
        const user = await deps.users.create(auth, {
          accountId: body.account_id,
          email: body.email,
          password: body.password,
          role: body.role ?? "USER",
        });
        set.status = 201;
        return toUserView(user);
      },
      {
        body: createUserBody,
        response: { 201: userView, ...adminErrors },
        detail: { summary: "Add a user to an account; account admins may give only USER or ADMIN", ...secured },
      },
    )
    .get("/users/:id", async ({ auth, params }) => toUserView(await deps.users.get(auth, params.id)), {
      params: userIdParams,
      response: { 200: userView, ...adminErrors },
      detail: { summary: "One user", ...secured },
    })
    .put("/users/:id/role", async ({ auth, params, body }) => toUserView(await deps.users.setRole(auth, params.id, body.role)), {
      params: userIdParams,
      body: roleBody,
      response: { 200: userView, ...adminErrors },
      detail: { summary: "Change a user's role; it applies to their next request", ...secured },
    })
    .post("/users/:id/deactivate", async ({ auth, params }) => toUserView(await deps.users.deactivate(auth, params.id)), {
      params: userIdParams,
      response: { 200: userView, ...adminErrors },
      detail: { summary: "Deactivate a user and revoke their sessions at once", ...secured },
    })
    .post("/users/:id/activate", async ({ auth, params }) => toUserView(await deps.users.activate(auth, params.id)), {
      params: userIdParams,
      response: { 200: userView, ...adminErrors },
      detail: { summary: "Let a deactivated user sign in again", ...secured },
    })
    .put(
      "/users/:id/password",
      async ({ auth, params, body }) => toUserView(await deps.users.resetPassword(auth, params.id, body.password)),
      {
        params: userIdParams,
        body: passwordBody,
        response: { 200: userView, ...adminErrors },
        detail: { summary: "Set a new password for a user and sign them out everywhere", ...secured },
      },
    )
    .get(
      "/audit",
      async ({ auth, query }) => {
        const page = { limit: query.limit ?? 50, offset: query.offset ?? 0 };
        const { total, items } = await listAudit(deps.db, auth, {
          accountId: query.account_id,
          actorUserId: query.actor_user_id,
          action: query.action,
          targetType: query.target_type,
          targetId: query.target_id,
          from: query.from ? new Date(query.from) : undefined,
          to: query.to ? new Date(query.to) : undefined,
          ...page,
        });
        return { total, ...page, items: items.map(toAuditEntryView) };
      },
      {
        query: auditQuery,
        response: { 200: auditListView, ...adminErrors },
        detail: { summary: "Admin actions with who, what, before and after, newest first", ...secured },
      },
    )
    .use(requireRole(deps.auth, "SUPER_ADMIN", "MODERATOR"))
    .get("/settings", async () => ({ settings: (await deps.settings.list()).map(toSettingView) }), {
      response: { 200: settingListView, ...adminErrors },
      detail: { summary: "Every system setting with its value and default", ...secured },
    })
    .get("/stats", async () => toStatsView(await deps.stats()), {
      response: { 200: statsView, ...adminErrors },
      detail: { summary: "Counts of accounts, users, tracking and snapshots, jobs' last runs, Uzum error rate and extensions", ...secured },
    })
    .use(requireRole(deps.auth, "SUPER_ADMIN"))
    .put(
      "/settings/:key",
      async ({ auth, params, body }) => toSettingView(await deps.settings.set(params.key, body.value, auth.userId)),
      {
        params: settingKeyParams,
        body: settingBody,
        response: { 200: settingView, ...adminErrors },
        detail: { summary: "Change a system setting; the value is checked against the setting's type and range", ...secured },
      },
    );
}

