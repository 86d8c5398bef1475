// A certificate authority made for one test run with the openssl command line (Debian's openssl
// package), and the server certificates it signs: EC P-256 keys, for 127.0.0.1 and localhost.
// Nothing outlives the run: remove() deletes the directory.

import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const OPENSSL = process.env.CORIO_OPENSSL ?? "openssl";

function openssl(args, cwd) {
  try {
    execFileSync(OPENSSL, args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
  } catch (err) {
    const why = err.code === "ENOENT" ? "not found (Debian's openssl package)" : String(err.stderr ?? err.message);
    throw new Error(`openssl ${args[0]} failed: ${why}`);
  }
}

const NEW_KEY = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];

/**
 * Makes a CA in a fresh temporary directory.
 * @returns {{dir: string, caFile: string, ca: Buffer,
 *   issue: (name: string, cn: string) => {cert: string, key: string},
 *   remove: () => void}}
 *   `issue` writes `<name>.crt` (the server's certificate, then the CA's) and `<name>.key`,
 *   replacing files of that name atomically (as a renewal would), and returns their paths.
 */
export function makeCa() {
  const dir = mkdtempSync(join(tmpdir(), "corio-e2e-tls-"));
  openssl(
    ["req", "-x509", ...NEW_KEY, "-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", "/CN=Corio e2e CA",
      "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"],
    dir,
  );
  writeFileSync(
    join(dir, "server.ext"),
    "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=critical,CA:FALSE\n" +
      "extendedKeyUsage=serverAuth\nauthorityKeyIdentifier=keyid\n",
  );
  let serial = 1;
  const caFile = join(dir, "ca.crt");
  return {
    dir,
    caFile,
    ca: readFileSync(caFile),
    issue(name, cn) {
      const tmp = `${name}.new`;
      openssl(["req", ...NEW_KEY, "-keyout", `${tmp}.key`, "-out", `${tmp}.csr`, "-subj", `/CN=${cn}`], dir);
      openssl(
        ["x509", "-req", "-in", `${tmp}.csr`, "-CA", "ca.crt", "-CAkey", "ca.key", "-set_serial", String(++serial),
          "-days", "2", "-extfile", "server.ext", "-out", `${tmp}.crt`],
        dir,
      );
      writeFileSync(join(dir, `${tmp}.chain`), Buffer.concat([readFileSync(join(dir, `${tmp}.crt`)), this.ca]));
      const cert = join(dir, `${name}.crt`);
      const key = join(dir, `${name}.key`);
      renameSync(join(dir, `${tmp}.key`), key);
      renameSync(join(dir, `${tmp}.chain`), cert);
      return { cert, key };
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
