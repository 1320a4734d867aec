import Fastify, { type FastifyInstance } from 'fastify';

/**
 * A small stand-in for GitHub's REST API, on loopback, for the bundled action's end-to-end test
 * (GITHUB_API_URL points here). It plays the calls the action makes — issue comments (list with
 * page/per_page and a Link header, create, update), pull requests (get) and GraphQL's `viewer`
 * (who the token is), and issues (list newest first with pull requests mixed in, as REST does;
 * create, update) — records every request, and can answer writes with 403 as GitHub does for a
 * fork's read-only token.
 */
export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  authorization: string | undefined;
}

export interface StoredComment {
  id: number;
  issueNumber: number;
  body: string;
  /** The author's login. */
  author: string;
}

export interface StoredIssue {
  number: number;
  title: string;
  body: string;
  state: 'open' | 'closed';
  author: string;
  /** REST lists pull requests among issues; the action must skip them. */
  pullRequest: boolean;
}

export interface FakeGitHubServer {
  url: string;
  requests: RecordedRequest[];
  comments: StoredComment[];
  pullHeads: Map<number, string>;
  /** Issues and pull requests of the repository, oldest first. */
  issues: StoredIssue[];
  /** When set, creating or updating a comment or an issue answers 403 like a read-only token. */
  forbidWrites: boolean;
  /** The token's account (GITHUB_TOKEN's by default): GraphQL's viewer, author of what it writes. */
  viewerLogin: string;
  commentsOn(issueNumber: number): StoredComment[];
  /** A comment written by someone else than the token, e.g. one that copies our marker. */
  addComment(issueNumber: number, author: string, body: string): StoredComment;
  close(): Promise<void>;
}

interface RepoParams {
  owner: string;
  repo: string;
}

export async function startFakeGitHub(): Promise<FakeGitHubServer> {
  const app: FastifyInstance = Fastify({ logger: false });
  let nextId = 1000;
  let baseUrl = '';
  const state: Omit<FakeGitHubServer, 'url' | 'close' | 'commentsOn' | 'addComment'> = {
    requests: [],
    comments: [],
    pullHeads: new Map(),
    issues: [],
    forbidWrites: false,
    viewerLogin: 'github-actions[bot]',
  };

  const htmlUrl = (params: RepoParams, comment: StoredComment) =>
    `https://github.test/${params.owner}/${params.repo}/pull/${comment.issueNumber}#issuecomment-${comment.id}`;
  const render = (params: RepoParams, comment: StoredComment) => ({
    id: comment.id,
    body: comment.body,
    html_url: htmlUrl(params, comment),
    user: { login: comment.author, type: comment.author.endsWith('[bot]') ? 'Bot' : 'User' },
  });
  const forbidden = {
    message: 'Resource not accessible by integration',
    documentation_url: 'https://docs.github.com/rest/issues/comments#create-an-issue-comment',
    status: '403',
  };

  app.addHook('onRequest', async (request) => {
    const url = new URL(request.url, 'http://fake');
    state.requests.push({
      method: request.method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      body: undefined,
      authorization: request.headers.authorization,
    });
  });
  app.addHook('preHandler', async (request) => {
    const last = state.requests.at(-1);
    if (last) last.body = request.body;
  });

  app.get<{
    Params: RepoParams & { number: string };
    Querystring: { page?: string; per_page?: string };
  }>('/repos/:owner/:repo/issues/:number/comments', async (request, reply) => {
    const issueNumber = Number(request.params.number);
    const page = Number(request.query.page ?? 1);
    const perPage = Math.min(Number(request.query.per_page ?? 30), 100);
    const all = state.comments.filter((comment) => comment.issueNumber === issueNumber);
    const lastPage = Math.max(1, Math.ceil(all.length / perPage));
    if (page < lastPage) {
      const path = `/repos/${request.params.owner}/${request.params.repo}/issues/${issueNumber}/comments`;
      reply.header(
        'link',
        `<${baseUrl}${path}?per_page=${perPage}&page=${page + 1}>; rel="next", <${baseUrl}${path}?per_page=${perPage}&page=${lastPage}>; rel="last"`,
      );
    }
    return all
      .slice((page - 1) * perPage, page * perPage)
      .map((comment) => render(request.params, comment));
  });

  app.post<{ Params: RepoParams & { number: string }; Body: { body: string } }>(
    '/repos/:owner/:repo/issues/:number/comments',
    async (request, reply) => {
      if (state.forbidWrites) return reply.code(403).send(forbidden);
      const comment = {
        id: nextId++,
        issueNumber: Number(request.params.number),
        body: request.body.body,
        author: state.viewerLogin,
      };
      state.comments.push(comment);
      return reply.code(201).send(render(request.params, comment));
    },
  );

  app.patch<{ Params: RepoParams & { id: string }; Body: { body: string } }>(
    '/repos/:owner/:repo/issues/comments/:id',
    async (request, reply) => {
      if (state.forbidWrites) return reply.code(403).send(forbidden);
      const comment = state.comments.find((item) => item.id === Number(request.params.id));
      if (!comment) return reply.code(404).send({ message: 'Not Found' });
      comment.body = request.body.body;
      return render(request.params, comment);
    },
  );

  const renderIssue = (params: RepoParams, issue: StoredIssue) => ({
    number: issue.number,
    title: issue.title,
    body: issue.body,
    state: issue.state,
    html_url: `https://github.test/${params.owner}/${params.repo}/${issue.pullRequest ? 'pull' : 'issues'}/${issue.number}`,
    user: { login: issue.author },
    ...(issue.pullRequest ? { pull_request: { url: 'https://github.test/pull' } } : {}),
  });

  app.get<{
    Params: RepoParams;
    Querystring: { page?: string; per_page?: string; state?: string; direction?: string };
  }>('/repos/:owner/:repo/issues', async (request) => {
    const page = Number(request.query.page ?? 1);
    const perPage = Math.min(Number(request.query.per_page ?? 30), 100);
    const wanted = request.query.state ?? 'open';
    const listed =
      wanted === 'all' ? state.issues : state.issues.filter((issue) => issue.state === wanted);
    const ordered = request.query.direction === 'asc' ? listed : [...listed].reverse();
    return ordered
      .slice((page - 1) * perPage, page * perPage)
      .map((issue) => renderIssue(request.params, issue));
  });

  app.post<{ Params: RepoParams; Body: { title: string; body: string } }>(
    '/repos/:owner/:repo/issues',
    async (request, reply) => {
      if (state.forbidWrites) return reply.code(403).send(forbidden);
      const issue: StoredIssue = {
        number: state.issues.length + 1,
        title: request.body.title,
        body: request.body.body,
        state: 'open',
        author: state.viewerLogin,
        pullRequest: false,
      };
      state.issues.push(issue);
      return reply.code(201).send(renderIssue(request.params, issue));
    },
  );

  app.patch<{ Params: RepoParams & { number: string }; Body: { title?: string; body?: string } }>(
    '/repos/:owner/:repo/issues/:number',
    async (request, reply) => {
      if (state.forbidWrites) return reply.code(403).send(forbidden);
      const issue = state.issues.find((item) => item.number === Number(request.params.number));
      if (!issue || issue.pullRequest) return reply.code(404).send({ message: 'Not Found' });
      if (request.body.title !== undefined) issue.title = request.body.title;
      if (request.body.body !== undefined) issue.body = request.body.body;
      return renderIssue(request.params, issue);
    },
  );

  app.get<{ Params: RepoParams & { number: string } }>(
    '/repos/:owner/:repo/pulls/:number',
    async (request, reply) => {
      const number = Number(request.params.number);
      const sha = state.pullHeads.get(number);
      if (!sha) return reply.code(404).send({ message: 'Not Found' });
      return { number, state: 'open', head: { sha, ref: 'feature' }, base: { ref: 'main' } };
    },
  );

  app.post<{ Body: { query: string } }>('/graphql', async (request, reply) => {
    if (!/^\s*(query\s*)?\{\s*viewer\s*\{\s*login\s*\}\s*\}\s*$/.test(request.body.query)) {
      return reply.code(400).send({ message: `fake GitHub plays no query but viewer's login` });
    }
    return { data: { viewer: { login: state.viewerLogin } } };
  });

  baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
  return Object.assign(state, {
    url: baseUrl,
    commentsOn: (issueNumber: number) =>
      state.comments.filter((comment) => comment.issueNumber === issueNumber),
    addComment: (issueNumber: number, author: string, body: string) => {
      const comment = { id: nextId++, issueNumber, body, author };
      state.comments.push(comment);
      return comment;
    },
    close: () => app.close(),
  });
}
