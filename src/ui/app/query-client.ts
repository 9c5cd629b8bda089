/** The app's one QueryClient, a module so code outside React (saving a threshold) can invalidate queries. */
import { QueryClient } from '@tanstack/react-query';

export const queryClient = new QueryClient({
  defaultOptions: {
    // the queries read this browser's own storage: they change only when the app changes them (and
    // invalidates), and a failure will not heal by retrying
    queries: { staleTime: Infinity, retry: false },
  },
});
