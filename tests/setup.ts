// Tests share one process, so keep its log quiet unless a developer asks for it.
process.env.LOG_LEVEL ??= "silent";
