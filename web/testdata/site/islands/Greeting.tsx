import { useSignal } from "@preact/signals";

export default function Greeting({ name }: { name: string }) {
  const shown = useSignal(false);
  return (
    <button
      type="button"
      class="greeting"
      onClick={() => shown.value = true}
    >
      {shown.value ? `Hello ${name}` : "Greet"}
    </button>
  );
}
