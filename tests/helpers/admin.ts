import { createOperator } from "../../src/modules/admin/bootstrap";
import type { TestApp } from "./app";

export const operatorPassword = "Operator-parol-2026!";

let operatorCounter = 0;

/** Creates a SUPER_ADMIN or MODERATOR in an account of their own and signs them in. */
export async function signInOperator(
  app: TestApp,
  role: "SUPER_ADMIN" | "MODERATOR" = "SUPER_ADMIN",
): Promise<{ token: string; userId: string; accountId: string; email: string }> {
  const email = `operator${++operatorCounter}-${Date.now()}@ventra.uz`;
  const { userId, accountId } = await createOperator(app.database.db, { email, password: operatorPassword, role });
  const login = await app.request("POST", "/api/v1/auth/login", { body: { email, password: operatorPassword } });
  if (login.status !== 200) throw new Error(`operator login failed: ${login.status} ${JSON.stringify(login.body)}`);
  return { token: login.body.access_token, userId, accountId, email };
}
