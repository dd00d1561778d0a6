import { dayMs, tashkentOffsetMs } from "../../lib/time";

/** Quiet hours as minutes after Tashkent midnight; equal start and end mean none. */
export interface QuietHours {
  startMinute: number;
  endMinute: number;
}

/** 22:00 to 08:00 Tashkent, for an account that never changed it. */
export const defaultQuietHours: QuietHours = { startMinute: 22 * 60, endMinute: 8 * 60 };

const minuteMs = 60_000;

/**
 * Returns the instant the quiet period containing `now` ends, or null when `now` is outside quiet
 * hours. A period may wrap past midnight, as the default 22:00 to 08:00 does.
 */
export function quietUntil(now: Date, hours: QuietHours): Date | null {
  const { startMinute, endMinute } = hours;
  if (startMinute === endMinute) return null;

  const localMs = now.getTime() + tashkentOffsetMs;
  const midnightLocalMs = Math.floor(localMs / dayMs) * dayMs;
  const minute = Math.floor((localMs - midnightLocalMs) / minuteMs);

  const wraps = startMinute > endMinute;
  const quiet = wraps ? minute >= startMinute || minute < endMinute : minute >= startMinute && minute < endMinute;
  if (!quiet) return null;

  // The end falls tomorrow when the period wraps and has not passed midnight yet.
  const endDayMs = wraps && minute >= startMinute ? midnightLocalMs + dayMs : midnightLocalMs;
  return new Date(endDayMs + endMinute * minuteMs - tashkentOffsetMs);
}

/** Formats minutes after midnight as `HH:MM`. */
export function formatMinute(minute: number): string {
  return `${String(Math.floor(minute / 60)).padStart(2, "0")}:${String(minute % 60).padStart(2, "0")}`;
}

/** Reads `HH:MM` (00:00 to 23:59) as minutes after midnight; undefined for anything else. */
export function parseMinute(text: string): number | undefined {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text);
  if (!match) return undefined;
  return Number(match[1]) * 60 + Number(match[2]);
}
