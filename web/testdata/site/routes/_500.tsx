export default function ServerError() {
  return <p class="server-error">Something broke</p>;
}
