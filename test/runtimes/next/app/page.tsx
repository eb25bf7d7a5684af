export default function Home() {
  return <main>webhook receiver</main>;
}
