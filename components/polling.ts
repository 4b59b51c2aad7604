/** How often a view polls while something it shows can still change. */
export const LIVE_POLL_MS = 2000;
/** How often a list polls when nothing on it is moving, so runs started elsewhere still appear. */
export const IDLE_POLL_MS = 30_000;
/**
 * How often a running run's page polls: its live output and tool calls show within a second
 * of the model producing them (the turn writes them at most every 250 ms).
 */
export const STREAM_POLL_MS = 500;
