/** The pane's message bar: the outcome of the last thing the clerk asked for. */
export type Notice = { intent: "success" | "error" | "info" | "warning"; title: string; text: string } | null;
