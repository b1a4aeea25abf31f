/**
 * A labelled one-line text input bound to a signal, as the groups and
 * direct message forms use it.
 *
 * @module
 */

import type { Signal } from "@preact/signals";

/** Props of a text field. */
export interface TextFieldProps {
  readonly label: string;
  readonly value: Signal<string>;
  readonly maxLength: number;
  readonly testId: string;
}

/** The label, with the input inside it so a click on the text focuses it. */
export function TextField({ label, value, maxLength, testId }: TextFieldProps) {
  return (
    <label class="grow">
      {label}
      <input
        value={value.value}
        maxLength={maxLength}
        data-testid={testId}
        onInput={(e) => value.value = e.currentTarget.value}
      />
    </label>
  );
}
