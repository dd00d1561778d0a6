import { t } from "elysia";
import type { AuditRow } from "./audit";
import type { AccountSummary } from "./accounts-service";
import type { SettingView } from "./settings";
import type { UserSummary } from "./users-service";

const uuid = t.String({ format: "uuid" });
const email = t.String({ format: "email", minLength: 3, maxLength: 254 });
const password = t.String({ minLength: 1, maxLength: 256, description: "At least 10 characters, not a common password" });
const role = t.Union([t.Literal("SUPER_ADMIN"), t.Literal("ADMIN"), t.Literal("MODERATOR"), t.Literal("USER")]);
const accountStatus = t.Union([t.Literal("ACTIVE"), t.Literal("SUSPENDED")]);
const search = t.String({ minLength: 1, maxLength: 100, description: "Part of the name or email, case-insensitive" });
const dateTime = t.String({ format: "date-time" });

export const pageFields = {
  limit: t.Optional(t.Integer({ minimum: 1, maximum: 100, default: 50 })),
  offset: t.Optional(t.Integer({ minimum: 0, maximum: 100_000, default: 0 })),
};

export const accountIdParams = t.Object({ id: uuid });
export const userIdParams = t.Object({ id: uuid });
export const settingKeyParams = t.Object({ key: t.String({ minLength: 1, maxLength: 100, pattern: "^[a-z0-9_.]+$" }) });

export const accountsQuery = t.Object({ q: t.Optional(search), status: t.Optional(accountStatus), ...pageFields });

export const usersQuery = t.Object({
  q: t.Optional(search),
  account_id: t.Optional(uuid),
  role: t.Optional(role),
  active: t.Optional(t.Boolean()),
  ...pageFields,
});

export const auditQuery = t.Object({
  account_id: t.Optional(uuid),
  actor_user_id: t.Optional(uuid),
  action: t.Optional(t.String({ minLength: 1, maxLength: 100, description: "Such as user.deactivate or account.status" })),
  target_type: t.Optional(t.String({ minLength: 1, maxLength: 50 })),
  target_id: t.Optional(t.String({ minLength: 1, maxLength: 100 })),
  from: t.Optional(t.String({ format: "date-time", description: "Entries at or after this instant" })),
  to: t.Optional(t.String({ format: "date-time", description: "Entries before this instant" })),
  ...pageFields,
});

export const createAccountBody = t.Object({
  name: t.String({ minLength: 1, maxLength: 120, pattern: "\\S" }),
  email,
  password,
});

export const accountStatusBody = t.Object({ status: accountStatus });

export const createUserBody = t.Object({
  account_id: t.Optional(t.String({ format: "uuid", description: "Defaults to the caller's account; only a super admin may name another" })),
  email,
  password,
  role: t.Optional(role),
});

export const roleBody = t.Object({ role });
export const passwordBody = t.Object({ password });
export const settingBody = t.Object({
  value: t.Union([t.Boolean(), t.Number()], { description: "A boolean or a number, as the setting's definition requires" }),
});

export const accountView = t.Object({
  id: uuid,
  name: t.String(),
  status: accountStatus,
  created_at: dateTime,
  user_count: t.Integer(),
  tracked_product_count: t.Integer(),
});

export const userView = t.Object({
  id: uuid,
  account_id: uuid,
  account_name: t.String(),
  email: t.String(),
  role,
  is_active: t.Boolean(),
  created_at: dateTime,
  last_login_at: t.Union([dateTime, t.Null()]),
});

export const auditEntryView = t.Object({
  id: t.Integer(),
  account_id: t.Union([uuid, t.Null()]),
  actor_user_id: t.Union([uuid, t.Null()]),
  action: t.String(),
  target_type: t.String(),
  target_id: t.Union([t.String(), t.Null()]),
  before: t.Unknown(),
  after: t.Unknown(),
  created_at: dateTime,
});

export const settingView = t.Object({
  key: t.String(),
  value: t.Unknown(),
  default: t.Unknown(),
  description: t.String(),
  updated_at: t.Union([dateTime, t.Null()]),
  updated_by: t.Union([uuid, t.Null()]),
});

const pageView = { total: t.Integer(), limit: t.Integer(), offset: t.Integer() };
export const accountListView = t.Object({ ...pageView, items: t.Array(accountView) });
export const userListView = t.Object({ ...pageView, items: t.Array(userView) });
export const auditListView = t.Object({ ...pageView, items: t.Array(auditEntryView) });
export const settingListView = t.Object({ settings: t.Array(settingView) });
export const createdAccountView = t.Object({ account: accountView, user_id: uuid });

export function toAccountView(account: AccountSummary) {
  return {
    id: account.id,
    name: account.name,
    status: account.status,
    created_at: account.createdAt.toISOString(),
    user_count: Number(account.userCount),
    tracked_product_count: Number(account.trackedProductCount),
  };
}

export function toUserView(user: UserSummary) {
  return {
    id: user.id,
    account_id: user.accountId,
    account_name: user.accountName,
    email: user.email,
    role: user.role,
    is_active: user.isActive,
    created_at: user.createdAt.toISOString(),
    last_login_at: user.lastLoginAt?.toISOString() ?? null,
  };
}

export function toAuditEntryView(entry: AuditRow) {
  return {
    id: entry.id,
    account_id: entry.accountId,
    actor_user_id: entry.actorUserId,
    action: entry.action,
    target_type: entry.targetType,
    target_id: entry.targetId,
    before: entry.before,
    after: entry.after,
    created_at: entry.createdAt.toISOString(),
  };
}

export function toSettingView(setting: SettingView) {
  return {
    key: setting.key,
    value: setting.value,
    default: setting.default,
    description: setting.description,
    updated_at: setting.updatedAt?.toISOString() ?? null,
    updated_by: setting.updatedBy,
  };
}
