/**
 * Creates a super admin (or a moderator) in an account of its own. Run with --help for usage.
 */
import { parseArgs } from "node:util";
import { AppError } from "../src/lib/errors";
import { createOperator } from "../src/modules/admin/bootstrap";
import { minPasswordLength } from "../src/modules/admin/passwords";
import { openServiceDatabase } from "./db-open";

const help = `Create an operator of VENTRA.

  bun run scripts/create-admin.ts [--email EMAIL] [--role SUPER_ADMIN|MODERATOR] [--password-stdin]

Without --email the script prompts for it. The password is never taken as a flag, because
flags show in the process list: the script prompts for it twice without echo, or reads one
line from standard input with --password-stdin, as in

  printf '%s\\n' "$ADMIN_PASSWORD" | bun run scripts/create-admin.ts --email ops@example.uz --password-stdin

Passwords need at least ${minPasswordLength} characters and may not be a common one.
The target is DATABASE_URL, or the embedded PGlite database in DATA_DIR (default ./data).`;

const { values } = parseArgs({
  options: {
    email: { type: "string" },
    role: { type: "string", default: "SUPER_ADMIN" },
    "password-stdin": { type: "boolean", default: false },
    help: { type: "boolean", default: false },
  },
});

if (values.help) {
  console.log(help);
  process.exit(0);
}
if (values.role !== "SUPER_ADMIN" && values.role !== "MODERATOR") {
  console.error(`--role must be SUPER_ADMIN or MODERATOR, got "${values.role}"`);
  process.exit(1);
}

const email = values.email ?? prompt("Email:")?.trim();
if (!email) {
  console.error("An email is required: pass --email or type one at the prompt.");
  process.exit(1);
}

let password: string;
if (values["password-stdin"]) {
  password = (await readFirstLine()).replace(/\r?\n$/, "");
} else {
  password = await readHidden("Password: ");
  if ((await readHidden("Repeat the password: ")) !== password) {
    console.error("The passwords differ; nothing was created.");
    process.exit(1);
  }
}

const database = await openServiceDatabase();
try {
  const created = await createOperator(database.db, { email, password, role: values.role });
  console.log(`Created ${values.role} ${email.toLowerCase()} (user ${created.userId}, account ${created.accountId}).`);
} catch (error) {
  if (error instanceof AppError) {
    console.error(`Not created: ${error.code} ${JSON.stringify(error.details ?? {})}`);
    process.exitCode = 1;
  } else {
    throw error;
  }
} finally {
  await database.close();
}

async function readFirstLine(): Promise<string> {
  for await (const line of console) return line;
  return "";
}

/** Reads one line from a terminal without echoing it. */
async function readHidden(label: string): Promise<string> {
  if (!process.stdin.isTTY) {
    console.error("No terminal to prompt on; pass the password with --password-stdin.");
    process.exit(1);
  }
  process.stdout.write(label);
  process.stdin.setRawMode(true);
  process.stdin.resume();

  let typed = "";
  try {
    for await (const chunk of process.stdin) {
      for (const character of String(chunk)) {
        if (character === "\r" || character === "\n") return typed;
        if (character === "\u0003") process.exit(130);
        typed = character === "\u007f" ? typed.slice(0, -1) : typed + character;
      }
    }
    return typed;
  } finally {
    process.stdin.setRawMode(false);
    process.stdin.pause();
    process.stdout.write("\n");
  }
}
