# workerd's own config, as wrangler writes one for `wrangler dev`: one worker, the secret as a binding.
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [(name = "main", worker = .receiver)],
  sockets = [(name = "http", address = "127.0.0.1:8787", http = (), service = "main")],
);

const receiver :Workerd.Worker = (
  modules = [(name = "worker", esModule = embed "dist/worker.js")],
  compatibilityDate = "2025-09-01",
  bindings = [(name = "PLAIN_WEBHOOK_SECRET", fromEnvironment = "PLAIN_WEBHOOK_SECRET")],
);
