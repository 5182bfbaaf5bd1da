/**
 * The state strings of one account, keyed by JMAP type name: the `TypeState` of RFC 8620 section 7.1.
 * Each value is exactly what `Foo/get` returns as `state` at that moment.
 */
export type TypeState = Readonly<Record<string, string>>;

/** The `changed` map of a StateChange: account id to the states that changed in it. */
export type ChangedAccounts = Readonly<Record<string, TypeState>>;

/** The RFC 8620 section 7.1 StateChange object, as pushed in an `event: state` frame. */
export interface StateChange {
  /** Always `StateChange` (RFC 8620 section 7.1). */
  readonly '@type': 'StateChange';
  /** Account id to the new states of the types that changed in it. */
  readonly changed: ChangedAccounts;
}
