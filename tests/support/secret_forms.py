"""73 ways a secret sits in Python code (the security review's 59 and more), each assembled at test time so no
secret literal lives in the repository: ``code`` holds ``{s}`` where the secret goes; ``secret`` is the text that
must never leave the machine."""

from __future__ import annotations

import base64
import random
import string
from dataclasses import dataclass

_ALNUM = string.ascii_letters + string.digits


@dataclass(frozen=True)
class SecretForm:
    name: str
    code: str  # a function body line (or lines), with {s} for the secret
    secret: str

    def source(self) -> str:
        body = self.code.replace("{s}", self.secret)
        lines = "\n".join("    " + line for line in body.splitlines())
        return f"def {self.name.replace('-', '_')}(host, user, conn, request, client):\n{lines}\n    return None\n"


def _rand(seed: int, n: int, alphabet: str = _ALNUM) -> str:
    rng = random.Random(seed)
    # at least one digit, one lower and one upper letter, like real keys
    core = [rng.choice(alphabet) for _ in range(n)]
    if alphabet == _ALNUM:
        core[0], core[1], core[2] = rng.choice(string.ascii_uppercase), rng.choice(string.ascii_lowercase), "7"
    return "".join(core)


def _seed(tag: str) -> int:
    return sum(ord(c) * 31**i for i, c in enumerate(tag)) % 100_000 + 1000


def _hex(seed: int, n: int) -> str:
    return _rand(seed, n, "0123456789abcdef")


def _jwt(seed: int) -> str:
    """A well-formed HS256 JWT (JSON header and claims, base64url) with a random subject and signature."""

    def part(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).decode().rstrip("=")

    claims = '{"sub":"' + _rand(seed, 12) + '","exp":1900000000}'
    return ".".join((part(b'{"alg":"HS256","typ":"JWT"}'), part(claims.encode()), part(_rand(seed + 1, 32).encode())))


def secret_forms() -> list[SecretForm]:
    def p(tag: str) -> str:  # a typical human password, different in each form
        return "".join(["hun", "ter", "-", tag, "-", _rand(_seed(tag), 9, string.ascii_lowercase + string.digits)])

    forms = [
        # --- assignments, keywords, dicts, annotations (the original rules) ---
        ("assign-password", 'db_password = "{s}"', p("a")),
        ("keyword-password", 'conn = connect(host=host, password="{s}")', p("k")),
        ("dict-api-key", 'headers = {"api_key": "{s}"}', _rand(2, 32)),
        ("annotated-token", 'TOKEN: str = "{s}"', _rand(3, 40)),
        ("client-secret", 'oauth = OAuth(client_id="web", client_secret="{s}")', _rand(4, 40)),
        ("django-secret-key", 'SECRET_KEY = "{s}"', "django-insecure-" + _rand(5, 40)),
        ("pwd-name", 'pwd = "{s}"', p("p")),
        # --- vendor token formats ---
        ("aws-access-key", 'key_id = "{s}"', "AKIA" + _rand(6, 16, string.ascii_uppercase + string.digits)),
        (
            "aws-secret-positional",
            'boto3.client("s3", "us-east-1", None, None, True, None, "AKIA", "{s}")',
            _rand(7, 40, _ALNUM + "/+"),
        ),
        ("github-pat", 'gh = Github("{s}")', "ghp_" + _rand(8, 36)),
        ("github-fine-grained", 'gh = Github("{s}")', "github_pat_" + _rand(9, 22) + "_" + _rand(10, 59)),
        ("slack-bot", 'slack = WebClient("{s}")', "xoxb-" + _hex(11, 12) + "-" + _hex(12, 12) + "-" + _rand(13, 24)),
        ("openai-key", 'ai = OpenAI(api="{s}")', "sk-proj-" + _rand(14, 48)),
        ("anthropic-key", 'ai = Anthropic("{s}")', "sk-ant-api03-" + _rand(15, 80)),
        ("google-api-key", 'maps = Client("{s}")', "AIza" + _rand(16, 35)),
        ("gitlab-token", 'gl = Gitlab(url, "{s}")', "glpat-" + _rand(17, 20)),
        ("stripe-live", 'stripe.set("{s}")', "sk_" + "live_" + _rand(18, 24)),
        ("stripe-restricted", 'stripe.set("{s}")', "rk_" + "live_" + _rand(19, 24)),
        ("stripe-webhook", 'verify(payload, "{s}")', "whsec_" + _rand(20, 32)),
        ("npm-token", 'npmrc = "//registry.npmjs.org/:_authToken={s}"', "npm_" + _rand(21, 36)),
        ("huggingface", 'hub = HfApi("{s}")', "hf_" + _rand(22, 34)),
        ("sendgrid", 'mail = SendGridAPIClient("{s}")', "SG." + _rand(23, 22) + "." + _rand(24, 43)),
        ("twilio-api-key", 'tw = Client("{s}", secret)', "SK" + _hex(25, 32)),
        ("twilio-auth-token", 'tw = Client(sid, "{s}")', _hex(26, 32)),
        ("mailgun", 'mg = Mailgun("{s}")', "key-" + _hex(27, 32)),
        ("long-hex-key", 'cipher = AES.new(bytes.fromhex("{s}"))', _hex(28, 64)),
        (
            "slack-webhook",
            'post("{s}")',
            "https://hooks.slack.com/services/T"
            + _rand(29, 8).upper()
            + "/B"
            + _rand(30, 8).upper()
            + "/"
            + _rand(31, 24),
        ),
        ("jwt", 'session = verify("{s}")', _jwt(32)),
        # --- authorization headers, cookies, basic auth ---
        ("bearer-header", 'headers = {"Authorization": "Bearer {s}"}', _rand(35, 40)),
        (
            "basic-header",
            'headers = {"Authorization": "Basic {s}"}',
            base64.b64encode(("admin:" + p("h")).encode()).decode(),
        ),
        ("cookie-header", 'headers = {"Cookie": "sessionid={s}; theme=dark"}', _rand(36, 32)),
        ("cookie-jar", 'requests.get(url, cookies={"session": "{s}"})', _rand(37, 32)),
        ("auth-tuple", 'requests.get(url, auth=("admin", "{s}"))', p("t")),
        ("http-basic-auth", 'auth = HTTPBasicAuth("admin", "{s}")', p("b")),
        ("curl-u", 'subprocess.run(f"curl -u admin:{s} https://{host}/api", shell=True)', p("c")),
        # --- positional passwords ---
        ("login-positional", 'client.login("admin", "{s}")', p("l")),
        ("smtp-login", 'smtp.login(user, "{s}")', p("s")),
        ("connect-positional", 'db = pymysql.connect(host, "app", "{s}", "shop")', p("m")),
        ("set-password", 'account.set_password("{s}")', p("e")),
        ("keyring", 'keyring.set_password("svc", user, "{s}")', p("r")),
        # --- DSNs and connection strings ---
        ("postgres-url", 'engine = create_engine("postgresql://app:{s}@db.internal:5432/shop")', p("u")),
        ("url-password-slash", 'engine = create_engine("postgresql://app:{s}@db/shop")', "pa/ss" + _rand(38, 8)),
        ("url-password-at", 'r = Redis.from_url("redis://:{s}@cache:6379/0")', "p%40" + _rand(39, 10)),
        ("amqp-url", 'broker = "amqp://guest:{s}@rabbit:5672//"', p("q")),
        ("mongodb-srv", 'mongo = MongoClient("mongodb+srv://app:{s}@cluster0.example.net/db")', p("g")),
        ("libpq-dsn", 'conn = psycopg2.connect("host=db user=app password={s} dbname=shop")', p("d")),
        (
            "azure-storage",
            "blob = BlobServiceClient.from_connection_string("
            '"DefaultEndpointsProtocol=https;AccountName=acct;AccountKey={s};EndpointSuffix=core.windows.net")',
            base64.b64encode(_rand(40, 64).encode()).decode(),
        ),
        ("query-token", 'requests.get(f"https://{host}/v1/items?api_key={s}&page=2")', _rand(41, 32)),
        ("f-string-dsn", 'dsn = f"postgresql://app:{s}@{host}/shop"', p("f")),
        ("concatenated-bearer", 'headers = {"Authorization": "Bearer " + "{s}"}', _rand(42, 40)),
        ("implicit-concatenation", 'API_TOKEN = ("{s}" "tail")', _rand(43, 24)),
        # --- environment text ---
        ("getenv-default", 'password = os.getenv("DB_PASSWORD", "{s}")', p("v")),
        ("environ-get-default", 'key = os.environ.get("STRIPE_API_KEY", "{s}")', _rand(44, 32)),
        ("dotenv-upper", 'env_text = "DB_PASSWORD={s}\\nDEBUG=1"', p("x")),
        ("dotenv-lower", 'env_text = """db_password={s}\ndebug=1"""', p("y")),
        ("netrc", 'netrc = "machine api.example.com login me password {s}"', p("n")),
        # --- messages and comparisons ---
        ("exception-message", 'raise PermissionError("rejected token {s} for " + user)', _rand(45, 32)),
        ("comparison", 'if request.headers.get("X-Api-Key") != "{s}":\n    raise PermissionError()', _rand(46, 32)),
        ("password-comparison", 'if password == "{s}":\n    return True', p("z")),
        # --- comments, raw headers, other connection strings ---
        ("comment-password", "# staging db password: {s}\nconn = connect(host)", p("o")),
        ("raw-cookie-header", 'sock.send(b"GET / HTTP/1.1\\r\\nCookie: prefs=dark; auth={s}\\r\\n")', _rand(51, 24)),
        ("odbc", 'conn = pyodbc.connect("DRIVER={ODBC Driver 18};SERVER=db;UID=app;PWD={s}")', p("i")),
        ("x-api-key-header", 'headers = {"X-API-Key": "{s}"}', p("j")),
        ("export-line", 'script = "export API_TOKEN={s} && deploy"', p("ex")),
        ("pypi-token", 'upload(url, token="{s}")', "pypi-AgEIcHlwaS5vcmc" + _rand(52, 60)),
        ("password-in-docstring-example", '"""Connect with mysql -u root -p{s} before running."""', p("ds")),
        # --- near the rules that keep enumerations and messages (PASSWORD_RESET = "password_reset") ---
        ("password-in-message", 'ADMIN_PASSWORD = "The admin password is {s}."', p("msg")),
        ("password-named-after-itself", 'db_password = "db-password-{s}"', _rand(53, 12)),
        ("graphql-variable-value", 'query = """{"password": "{s}"}"""', p("gq")),
        # --- private keys and long lines ---
        (
            "pem-block",
            'KEY = """-----BEGIN RSA PRIVATE KEY-----\n{s}\n-----END RSA PRIVATE KEY-----"""',
            _rand(47, 64) + "\n" + _rand(48, 64),
        ),
        ("pem-one-line", 'KEY = "-----BEGIN PRIVATE KEY-----\\n{s}\\n-----END PRIVATE KEY-----\\n"', _rand(49, 64)),
        (
            "openssh-key",
            'KEY = """-----BEGIN OPENSSH PRIVATE KEY-----\n{s}\n-----END OPENSSH PRIVATE KEY-----"""',
            _rand(50, 70),
        ),
        (
            "long-line-dsn",
            'with psycopg2.connect("postgresql://reporting_user:{s}@analytics-db.eu-west-1.internal:5432/warehouse")'
            ' as c:\n    c.execute("SELECT 1")',
            p("w"),
        ),
    ]
    return [SecretForm(name, code, secret) for name, code, secret in forms]
