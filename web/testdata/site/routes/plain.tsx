export default function Plain() {
  return <p>No islands here</p>;
}
