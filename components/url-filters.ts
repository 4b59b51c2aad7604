/** Whether any URL filter narrows a list (an emptied list filter does not): the runs and the audit log. */
export const hasActiveFilters = (filters: Record<string, unknown>) =>
  Object.values(filters).some((value) =>
    Array.isArray(value) ? value.length > 0 : value !== null,
  );
