package io.gatelens.analytics.api;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code from}/{@code to} query parameters: an ISO-8601 instant ({@code 2026-11-22T08:00:00Z}),
 * epoch milliseconds, {@code now}, or now minus a duration ({@code now-15m}, {@code -24h}; units s,
 * m, h, d). Defaults: the last hour. Anything else is a 400 that says what is accepted.
 */
public record TimeRange(Instant from, Instant to) {
    /** Longer ranges are refused: nothing is kept longer than the hour retention anyway. */
    public static final Duration MAX = Duration.ofDays(400);
    private static final Pattern RELATIVE = Pattern.compile("(?:now)?-(\\d{1,6})([smhd])");

    public static TimeRange parse(String from, String to, Clock clock) {
        Instant now = clock.instant();
        Instant t = blank(to) ? now : instant("to", to, now);
        Instant f = blank(from) ? t.minus(Duration.ofHours(1)) : instant("from", from, now);
        if (!f.isBefore(t)) {
            throw new BadParameterException("from (" + f + ") must be before to (" + t + ")");
        }
        if (Duration.between(f, t).compareTo(MAX) > 0) {
            throw new BadParameterException("a range may span at most " + MAX.toDays() + " days");
        }
        return new TimeRange(f, t);
    }

    public Duration length() {
        return Duration.between(from, to);
    }

    /** A step like {@code 60s}, {@code 5m}, {@code 1h} or seconds; a whole number of minutes. */
    public static Duration step(String value, TimeRange range, int maxPoints) {
        Duration step;
        if (blank(value)) {
            // about 120 points, rounded up to whole minutes
            long minutes = Math.max(1, (range.length().toMinutes() + 119) / 120);
            step = Duration.ofMinutes(minutes);
        } else {
            Matcher m = Pattern.compile("(\\d{1,7})([smhd]?)").matcher(value.trim());
            if (!m.matches()) {
                throw new BadParameterException("step must be like 60s, 5m, 1h or a number of seconds, not '"
                    + shorten(value) + "'");
            }
            step = duration(Long.parseLong(m.group(1)), m.group(2).isEmpty() ? "s" : m.group(2));
        }
        if (step.isZero() || step.toSeconds() % 60 != 0) {
            throw new BadParameterException("step must be a positive whole number of minutes, not " + step.toSeconds() + "s");
        }
        long points = (range.length().toSeconds() + step.toSeconds() - 1) / step.toSeconds();
        if (points > maxPoints) {
            throw new BadParameterException("from/to/step give " + points + " points; at most " + maxPoints
                + ": use a larger step");
        }
        return step;
    }

    private static Instant instant(String name, String value, Instant now) {
        String v = value.trim();
        if (v.equals("now")) {
            return now;
        }
        Matcher rel = RELATIVE.matcher(v);
        if (rel.matches()) {
            return now.minus(duration(Long.parseLong(rel.group(1)), rel.group(2)));
        }
        if (v.matches("\\d{1,15}")) {
            return Instant.ofEpochMilli(Long.parseLong(v));
        }
        try {
            return Instant.parse(v);
        } catch (DateTimeParseException e) {
            throw new BadParameterException(name + " must be an ISO-8601 instant (2026-11-22T08:00:00Z), epoch"
                + " milliseconds, 'now' or 'now-15m' (s, m, h, d), not '" + shorten(v) + "'");
        }
    }

    private static Duration duration(long n, String unit) {
        return switch (unit) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    static String shorten(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "...";
    }
}
