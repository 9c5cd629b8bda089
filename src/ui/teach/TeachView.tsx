import '../teacher-client';

export function TeachView() {
  return <p>Teach</p>;
}
