/**
 * Payment terms. (Implementation in progress: the type is fixed here so the
 * ledger model can name it.)
 */
export interface PaymentTerms {
  /** Canonical text: "NET 30", "2/10 NET 30", "NET 10 EOM", "EOM", "DUE ON RECEIPT". */
  readonly code: string;
  /** Days from the base date (document date, or the end of its month when `endOfMonth`) to the due date. */
  readonly netDays: number;
  /** Count from the last day of the document's month instead of the document date. */
  readonly endOfMonth: boolean;
  /** Early-payment discount: `percent` (decimal string) if paid within `days`. */
  readonly discount: { readonly percent: string; readonly days: number } | null;
}
