import Greeting from "../../islands/Greeting.tsx";

export default function NewUser() {
  return (
    <div>
      <p class="new-user">new user form</p>
      <Greeting name="Ada" />
    </div>
  );
}
