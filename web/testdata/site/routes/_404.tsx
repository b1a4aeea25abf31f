export default function NotFound() {
  return <p class="not-found">Nothing here</p>;
}
