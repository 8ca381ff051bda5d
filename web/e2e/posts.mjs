// posts.mjs: the post model and three posts that the roles tests design rules for.

import { api } from "./lib.mjs";

// withPosts gives the session's tenant the model post and three posts: two published
// (alice's and bob's, with views) and alice's draft (no views).
export async function withPosts(session) {
  await api(session, "PUT", "/models/post", {
    name: "post", label: "Post", admin: true,
    fields: [
      { name: "title", type: "text", required: true },
      { name: "body", type: "text" },
      { name: "owner", type: "text" },
      { name: "status", type: "text", choices: ["draft", "published"], default: "draft" },
      { name: "views", type: "integer" },
    ],
  });
  await api(session, "POST", "/data/post", [
    { title: "Hello", body: "first", owner: "alice", status: "published", views: 3 },
    { title: "Secret plan", body: "hush", owner: "alice", status: "draft", views: 0 },
    { title: "News", body: "third", owner: "bob", status: "published", views: 9 },
  ]);
}
