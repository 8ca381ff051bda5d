package replicatest

import (
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// privatePG is a Postgres server of the test's own, which the test may stop and start:
// initdb into a temporary directory, trust auth, on a free port of 127.0.0.1.
type privatePG struct {
	t     testing.TB
	bin   string // the directory of initdb and pg_ctl
	dir   string // its data directory
	port  string
	owner *syscall.Credential // set when the test runs as root, which Postgres refuses
}

// pgBinDir finds initdb and pg_ctl: on PATH, else Debian's /usr/lib/postgresql/*/bin.
func pgBinDir() string {
	if p, err := exec.LookPath("pg_ctl"); err == nil {
		if _, err := exec.LookPath("initdb"); err == nil {
			return filepath.Dir(p)
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	for i := len(dirs) - 1; i >= 0; i-- { // the newest first
		if _, err := os.Stat(filepath.Join(dirs[i], "initdb")); err == nil {
			return dirs[i]
		}
	}
	return ""
}

// startPrivatePG initialises and starts a private Postgres; it is stopped and removed
// in t.Cleanup. The test is skipped when the Postgres binaries are not installed.
func startPrivatePG(t *testing.T) *privatePG {
	t.Helper()
	bin := pgBinDir()
	if bin == "" {
		t.Skip("initdb and pg_ctl not found (on PATH or in /usr/lib/postgresql/*/bin): install postgresql to run this test")
	}
	p := &privatePG{t: t, bin: bin, dir: filepath.Join(t.TempDir(), "pg"), port: freePort(t)}
	if err := os.Mkdir(p.dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() == 0 {
		p.owner = postgresUser(t)
		for d := filepath.Dir(p.dir); d != "/" && d != os.TempDir(); d = filepath.Dir(d) {
			_ = os.Chmod(d, 0o755) // the postgres user must reach its directory
		}
		if err := os.Chown(p.dir, int(p.owner.Uid), int(p.owner.Gid)); err != nil {
			t.Fatal(err)
		}
	}
	p.run("initdb", "-D", p.dir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale", "--no-sync")
	p.ctl("start")
	t.Cleanup(func() { _ = p.command("pg_ctl", "-D", p.dir, "-m", "immediate", "-w", "stop").Run() })
	return p
}

// url is the connection string of the server's postgres database.
func (p *privatePG) url() string {
	return "postgres://postgres@127.0.0.1:" + p.port + "/postgres?sslmode=disable"
}

// ctl runs pg_ctl action ("start", "stop", "restart"), fast shutdowns, waiting for it.
func (p *privatePG) ctl(action string) {
	p.t.Helper()
	args := []string{"-D", p.dir, "-w", "-t", "30", "-l", filepath.Join(p.dir, "server.log")}
	if action != "start" {
		args = append(args, "-m", "fast")
	}
	if action != "stop" {
		args = append(args, "-o", strings.Join([]string{"-c listen_addresses=127.0.0.1", "-p", p.port,
			"-k", p.dir, "-c fsync=off", "-c full_page_writes=off", "-c max_connections=200", "-c shared_buffers=16MB"}, " "))
	}
	p.run("pg_ctl", append(args, action)...)
}

func (p *privatePG) command(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(filepath.Join(p.bin, name), args...)
	cmd.Dir = os.TempDir()
	if p.owner != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: p.owner}
	}
	return cmd
}

func (p *privatePG) run(name string, args ...string) {
	p.t.Helper()
	if out, err := p.command(name, args...).CombinedOutput(); err != nil {
		log, _ := os.ReadFile(filepath.Join(p.dir, "server.log"))
		p.t.Fatalf("%s %s: %v\n%s\nserver.log:\n%s", name, strings.Join(args, " "), err, out, log)
	}
}

// postgresUser is the user a root test runs Postgres as: postgres, else nobody.
func postgresUser(t testing.TB) *syscall.Credential {
	t.Helper()
	u, err := user.Lookup("postgres")
	if err != nil {
		if u, err = user.Lookup("nobody"); err != nil {
			t.Skip("running as root, with neither a postgres nor a nobody user to run Postgres as")
		}
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
}
