/** Saved views' limits, for the form and the schema (no parsing here: the form stays light). */
export const MAX_SAVED_VIEW_NAME_CHARS = 80;
/** A history URL's query is a few hundred characters; this bounds a stored one. */
export const MAX_SAVED_VIEW_QUERY_CHARS = 2_000;
/** Views one member keeps (private and shared together): a sidebar, not a database. */
export const MAX_SAVED_VIEWS_PER_USER = 50;
