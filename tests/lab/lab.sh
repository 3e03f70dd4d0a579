#!/usr/bin/env bash
# The live-probe test lab: one Postfix (Debian's package) with smtpd
# listeners on 127.0.0.11-.19, each with its own TLS settings, certificates
# from a test CA made here with openssl, and dnsmasq serving the lab.test
# zone on 127.0.0.1:5353. Loopback only; nothing leaves the machine.
#
#   bash tests/lab/lab.sh start   # idempotent: restarts a running lab
#   bash tests/lab/lab.sh stop
#   bash tests/lab/lab.sh flip legacy|modern   # change mx-flip (127.0.0.24)
#
# Listeners (port 25 unless noted):
#   127.0.0.11  mx-modern      TLS 1.2-1.3, trusted cert           -> compliant
#   127.0.0.12  mx-legacy      TLS 1.0-1.3 (@SECLEVEL=0)           -> non_compliant (MAIL-004)
#   127.0.0.13  mx-tls11       TLS 1.1 only                        -> non_compliant (MAIL-003, MAIL-004)
#   127.0.0.14  mx-tls13       TLS 1.3 only                        -> compliant
#   127.0.0.15  mx-plain       no STARTTLS                         -> non_compliant (MAIL-001)
#   127.0.0.16  mail-submit    465 implicit TLS; 587 STARTTLS required
#   127.0.0.17  mx-expired     expired certificate                 -> compliant, MAIL-008 warning
#   127.0.0.18  mx-selfsigned  self-signed certificate             -> compliant, MAIL-008 warning
#   127.0.0.19  mx-wrongname   certificate for another name        -> compliant, MAIL-008 warning
#   127.0.0.20  mx-454         STARTTLS advertised, answered 454   -> inconclusive
#   127.0.0.24  mx-flip        TLS 1.2+; `lab.sh flip legacy|modern` changes it (scan tests)
#   127.0.0.1:5555 moto server (DynamoDB), from the venv tests/run-all.sh makes
#   127.0.0.21-23:443          MTA-STS policy hosts (tests/lab/https_server.py) for
#                              sts-good (enforce), sts-enforce (enforce, MX with a
#                              self-signed certificate), sts-testing (testing, wrong mx)
set -euo pipefail
cd "$(dirname "$0")/../.."
LAB=${HISF_LAB_DIR:-$PWD/target/lab}
CONF=$LAB/postfix
DNS_PORT=5353

need() { command -v "$1" >/dev/null 2>&1; }
# Postfix, port 25 and port 443 need root; GitHub's runners give sudo.
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo

install() {
  if need postfix && need dnsmasq && need openssl && need chromium && [ -x /usr/bin/time ]; then return; fi
  echo "lab: installing postfix, dnsmasq, openssl, time, chromium (Debian packages)"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q >/dev/null
  $SUDO apt-get install -y -q --no-install-recommends postfix dnsmasq-base openssl time chromium >/dev/null
}

addresses() {
  # 127.0.0.0/8 is loopback on Linux without extra addresses; nothing to add.
  :
}

cert() { # name, CN/SAN, then extra openssl ca args
  local name=$1 cn=$2
  shift 2
  openssl req -new -newkey rsa:2048 -nodes -subj "/CN=$cn" \
    -keyout "$LAB/pki/$name.key" -out "$LAB/pki/$name.csr" 2>/dev/null
  printf 'subjectAltName=DNS:%s\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\nkeyUsage=digitalSignature,keyEncipherment\n' "$cn" >"$LAB/pki/$name.ext"
  openssl ca -batch -config "$LAB/pki/ca.cnf" -in "$LAB/pki/$name.csr" -out "$LAB/pki/$name.crt" \
    -extfile "$LAB/pki/$name.ext" -notext "$@" 2>/dev/null
  cat "$LAB/pki/$name.key" "$LAB/pki/$name.crt" >"$LAB/pki/$name.pem"
}

pki() {
  [ -f "$LAB/pki/.done" ] && return
  rm -rf "$LAB/pki"
  mkdir -p "$LAB/pki/newcerts"
  : >"$LAB/pki/index.txt"
  echo 1000 >"$LAB/pki/serial"
  cat >"$LAB/pki/ca.cnf" <<EOF
[ca]
default_ca = lab
[lab]
dir = $LAB/pki
database = \$dir/index.txt
new_certs_dir = \$dir/newcerts
serial = \$dir/serial
certificate = \$dir/ca.crt
private_key = \$dir/ca.key
default_md = sha256
default_days = 3650
policy = any
unique_subject = no
copy_extensions = none
[any]
commonName = supplied
EOF
  openssl req -x509 -new -newkey rsa:2048 -nodes -days 3650 -subj "/CN=hisf test lab CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -keyout "$LAB/pki/ca.key" -out "$LAB/pki/ca.crt" 2>/dev/null
  for h in mx-modern mx-legacy mx-tls11 mx-tls13 mx-plain mail-submit mx-flip; do
    cert "$h" "$h.lab.test"
  done
  cert mx-expired mx-expired.lab.test -startdate 20200101000000Z -enddate 20210101000000Z
  cert mx-wrongname other.example.test
  for d in sts-good sts-enforce sts-testing; do cert "mta-sts.$d" "mta-sts.$d.lab.test"; done
  openssl req -x509 -new -newkey rsa:2048 -nodes -days 3650 -subj "/CN=mx-selfsigned.lab.test" \
    -addext "subjectAltName=DNS:mx-selfsigned.lab.test" \
    -keyout "$LAB/pki/mx-selfsigned.key" -out "$LAB/pki/mx-selfsigned.crt" 2>/dev/null
  cat "$LAB/pki/mx-selfsigned.key" "$LAB/pki/mx-selfsigned.crt" >"$LAB/pki/mx-selfsigned.pem"
  chmod 600 "$LAB"/pki/*.key "$LAB"/pki/*.pem
  touch "$LAB/pki/.done"
}

smtpd() { # address:port, cert name, then -o overrides
  local listen=$1 name=$2
  shift 2
  # syslog_name tags each listener's log lines, so tests can count the
  # connections each one received ("connect from" lines).
  printf '%s inet n - n - - smtpd\n  -o smtpd_tls_chain_files=%s\n  -o syslog_name=lab/%s\n' \
    "$listen" "$LAB/pki/$name.pem" "$listen"
  for o in "$@"; do printf '  -o %s\n' "$o"; done
}

postfix_conf() {
  mkdir -p "$CONF" "$LAB/queue" "$LAB/data"
  cat >"$CONF/main.cf" <<EOF
# hisf test lab: generated by tests/lab/lab.sh
compatibility_level = 3.6
queue_directory = $LAB/queue
data_directory = $LAB/data
mail_owner = postfix
setgid_group = postdrop
myhostname = lab.test
mydestination =
relayhost =
inet_interfaces = loopback-only
inet_protocols = ipv4
smtpd_banner = \$myhostname ESMTP hisf-lab
maillog_file_prefixes = $LAB
maillog_file = $LAB/postfix.log
smtpd_tls_security_level = may
smtpd_tls_protocols = >=TLSv1.2
smtpd_tls_mandatory_protocols = >=TLSv1.2
smtpd_tls_loglevel = 1
smtpd_relay_restrictions = reject
smtpd_recipient_restrictions = reject
# No connection-rate or concurrency limits: tests count connections at the
# server instead, and anvil would answer 421 to a fast test suite.
smtpd_client_connection_rate_limit = 0
smtpd_client_connection_count_limit = 0
EOF
  {
    cat <<'EOF'
# service type private unpriv chroot wakeup maxproc command
EOF
    smtpd 127.0.0.11:25 mx-modern
    smtpd 127.0.0.12:25 mx-legacy "smtpd_tls_protocols=>=TLSv1" "smtpd_tls_mandatory_protocols=>=TLSv1" \
      "tls_medium_cipherlist=DEFAULT:@SECLEVEL=0"
    smtpd 127.0.0.13:25 mx-tls11 "smtpd_tls_protocols=>=TLSv1.1,<=TLSv1.1" \
      "smtpd_tls_mandatory_protocols=>=TLSv1.1,<=TLSv1.1" "tls_medium_cipherlist=DEFAULT:@SECLEVEL=0"
    smtpd 127.0.0.14:25 mx-tls13 "smtpd_tls_protocols=>=TLSv1.3" "smtpd_tls_mandatory_protocols=>=TLSv1.3"
    smtpd 127.0.0.15:25 mx-plain "smtpd_tls_security_level=none"
    smtpd 127.0.0.16:465 mail-submit "smtpd_tls_wrappermode=yes" "smtpd_sasl_auth_enable=no"
    smtpd 127.0.0.16:587 mail-submit "smtpd_tls_security_level=encrypt"
    smtpd 127.0.0.17:25 mx-expired
    smtpd 127.0.0.18:25 mx-selfsigned
    smtpd 127.0.0.19:25 mx-wrongname
    if [ "$(cat "$LAB/flip.state" 2>/dev/null)" = legacy ]; then
      smtpd 127.0.0.24:25 mx-flip "smtpd_tls_protocols=>=TLSv1" "smtpd_tls_mandatory_protocols=>=TLSv1" \
        "tls_medium_cipherlist=DEFAULT:@SECLEVEL=0"
    else
      smtpd 127.0.0.24:25 mx-flip
    fi
    # An unusable protocol list: Postfix still advertises STARTTLS, then answers 454.
    smtpd 127.0.0.20:25 mx-modern "smtpd_tls_protocols=no-such-protocol"
    cat <<'EOF'
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
  } >"$CONF/master.cf"
}

dns_start() {
  # DANE-EE SPKI SHA-256 of mx-modern's key, for its TLSA record.
  local spki
  spki=$(openssl x509 -in "$LAB/pki/mx-modern.crt" -noout -pubkey | openssl pkey -pubin -outform DER | sha256sum | cut -c1-64)
  $SUDO dnsmasq --keep-in-foreground --conf-file=/dev/null --no-resolv --no-hosts --no-poll \
    --listen-address=127.0.0.1 --bind-interfaces --port=$DNS_PORT --pid-file="$LAB/dnsmasq.pid" \
    --local=/lab.test/ --log-facility="$LAB/dnsmasq.log" \
    --host-record=mx-modern.lab.test,127.0.0.11 \
    --host-record=mx-legacy.lab.test,127.0.0.12 \
    --host-record=mx-tls11.lab.test,127.0.0.13 \
    --host-record=mx-tls13.lab.test,127.0.0.14 \
    --host-record=mx-plain.lab.test,127.0.0.15 \
    --host-record=mail-submit.lab.test,127.0.0.16 \
    --host-record=mx-expired.lab.test,127.0.0.17 \
    --host-record=mx-selfsigned.lab.test,127.0.0.18 \
    --host-record=mx-wrongname.lab.test,127.0.0.19 \
    --host-record=mx-454.lab.test,127.0.0.20 \
    --host-record=aonly.lab.test,127.0.0.11 \
    --host-record=mx-flip.lab.test,127.0.0.24 \
    --mx-host=flip.lab.test,mx-flip.lab.test,10 \
    --mx-host=single.lab.test,mx-modern.lab.test,10 \
    --mx-host=multi.lab.test,mx-modern.lab.test,10 \
    --mx-host=multi.lab.test,mx-legacy.lab.test,20 \
    --mx-host=shared.lab.test,mx-modern.lab.test,10 \
    --mx-host=legacy.lab.test,mx-legacy.lab.test,10 \
    --mx-host=plain.lab.test,mx-plain.lab.test,10 \
    --mx-host=tls13.lab.test,mx-tls13.lab.test,10 \
    --mx-host=tls11.lab.test,mx-tls11.lab.test,10 \
    --mx-host=expired.lab.test,mx-expired.lab.test,10 \
    --mx-host=selfsigned.lab.test,mx-selfsigned.lab.test,10 \
    --mx-host=wrongname.lab.test,mx-wrongname.lab.test,10 \
    --mx-host=dangling.lab.test,missing.lab.test,10 \
    --mx-host=tls454.lab.test,mx-454.lab.test,10 \
    --dns-rr=nullmx.lab.test,15,000000 \
    --dns-rr=_25._tcp.mx-modern.lab.test,52,030101$spki \
    --host-record=mta-sts.sts-good.lab.test,127.0.0.21 \
    --host-record=mta-sts.sts-enforce.lab.test,127.0.0.22 \
    --host-record=mta-sts.sts-testing.lab.test,127.0.0.23 \
    --mx-host=sts-good.lab.test,mx-modern.lab.test,10 \
    --mx-host=sts-enforce.lab.test,mx-selfsigned.lab.test,10 \
    --mx-host=sts-testing.lab.test,mx-modern.lab.test,10 \
    --txt-record=_mta-sts.sts-good.lab.test,"v=STSv1; id=20261204" \
    --txt-record=_smtp._tls.sts-good.lab.test,"v=TLSRPTv1; rua=mailto:tls@sts-good.lab.test" \
    --txt-record=sts-good.lab.test,"v=spf1 mx -all" \
    --txt-record=_dmarc.sts-good.lab.test,"v=DMARC1; p=reject; rua=mailto:dmarc@sts-good.lab.test" \
    --txt-record=_mta-sts.sts-enforce.lab.test,"v=STSv1; id=1" \
    --txt-record=sts-enforce.lab.test,"v=spf1 mx ~all" \
    --txt-record=_dmarc.sts-enforce.lab.test,"v=DMARC1; p=none" \
    --txt-record=_mta-sts.sts-testing.lab.test,"v=STSv1; id=7" \
    --txt-record=_smtp._tls.sts-testing.lab.test,"v=TLSRPTv1; rua=mailto:tls@sts-testing.lab.test" \
    --txt-record=sts-testing.lab.test,"v=spf1 -all" \
    --txt-record=_dmarc.sts-testing.lab.test,"v=DMARC1; p=reject" \
    >"$LAB/dnsmasq.out" 2>&1 &
  for _ in $(seq 50); do
    [ -s "$LAB/dnsmasq.pid" ] && return
    sleep 0.1
  done
  echo "lab: dnsmasq did not start:" >&2
  cat "$LAB/dnsmasq.out" >&2
  exit 1
}

policy_servers() {
  local i=21
  for d in sts-good sts-enforce sts-testing; do
    case $d in
      sts-good) printf 'version: STSv1\r\nmode: enforce\r\nmx: mx-modern.lab.test\r\nmax_age: 86400\r\n' ;;
      sts-enforce) printf 'version: STSv1\r\nmode: enforce\r\nmx: mx-selfsigned.lab.test\r\nmax_age: 86400\r\n' ;;
      sts-testing) printf 'version: STSv1\r\nmode: testing\r\nmx: *.other.test\r\nmax_age: 86400\r\n' ;;
    esac >"$LAB/$d.policy"
    $SUDO python3 tests/lab/https_server.py "127.0.0.$i" "$LAB/pki/mta-sts.$d.pem" "$LAB/$d.policy" \
      >"$LAB/https-$d.log" 2>&1 &
    echo $! >"$LAB/https-$d.pid"
    i=$((i + 1))
  done
}

moto_start() {
  local moto=$PWD/target/py/bin/moto_server
  [ -x "$moto" ] || { echo "lab: $moto missing (tests/run-all.sh installs moto[server])" >&2; exit 1; }
  "$moto" -H 127.0.0.1 -p 5555 >"$LAB/moto.log" 2>&1 &
  echo $! >"$LAB/moto.pid"
}

stop() {
  if [ -f "$LAB/moto.pid" ]; then
    kill "$(cat "$LAB/moto.pid")" 2>/dev/null || true
    rm -f "$LAB/moto.pid"
  fi
  for f in "$LAB"/https-*.pid; do
    [ -f "$f" ] || continue
    $SUDO kill "$(cat "$f")" 2>/dev/null || true
    rm -f "$f"
  done
  if [ -f "$CONF/main.cf" ]; then
    $SUDO postfix -c "$CONF" stop >/dev/null 2>&1 || true
  fi
  if [ -f "$LAB/dnsmasq.pid" ]; then
    $SUDO kill "$(cat "$LAB/dnsmasq.pid")" 2>/dev/null || true
    $SUDO rm -f "$LAB/dnsmasq.pid"
  fi
  # postfix stop returns before master has released its ports.
  for _ in $(seq 50); do
    pgrep -f "master -c $CONF" >/dev/null 2>&1 || pgrep -f "$CONF" >/dev/null 2>&1 || break
    sleep 0.1
  done
}

flip() { # legacy|modern: change mx-flip's TLS versions and reload Postfix
  case "${1:-}" in legacy | modern) ;; *) echo "usage: $0 flip legacy|modern" >&2; exit 2 ;; esac
  echo "$1" >"$LAB/flip.state"
  postfix_conf
  $SUDO postfix -c "$CONF" reload >/dev/null 2>&1
  # Old smtpd processes finish their current client and exit; wait for the new setting.
  sleep 1
}

start() {
  install
  mkdir -p "$LAB"
  rm -f "$LAB/flip.state"
  stop
  pki
  postfix_conf
  $SUDO chown root:root "$CONF" "$CONF"/*.cf
  $SUDO chown postfix "$LAB/data"
  $SUDO postfix -c "$CONF" check >/dev/null 2>&1 || $SUDO postfix -c "$CONF" set-permissions >/dev/null 2>&1 || true
  if ! $SUDO postfix -c "$CONF" start >"$LAB/postfix-start.out" 2>&1; then
    echo "lab: postfix did not start:" >&2
    cat "$LAB/postfix-start.out" >&2
    exit 1
  fi
  dns_start
  policy_servers
  moto_start
  # Wait until every listener answers.
  for a in 127.0.0.11:25 127.0.0.12:25 127.0.0.13:25 127.0.0.14:25 127.0.0.15:25 127.0.0.16:465 127.0.0.16:587 127.0.0.17:25 127.0.0.18:25 127.0.0.19:25 127.0.0.20:25 127.0.0.24:25 127.0.0.21:443 127.0.0.22:443 127.0.0.23:443 127.0.0.1:5555; do
    for _ in $(seq 100); do
      (exec 3<>"/dev/tcp/${a%:*}/${a#*:}") 2>/dev/null && break
      sleep 0.1
    done
  done
  echo "lab: up (postfix config $CONF, dnsmasq 127.0.0.1:$DNS_PORT, CA $LAB/pki/ca.crt, moto 127.0.0.1:5555)"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  flip) flip "${2:-}" ;;
  *)
    echo "usage: $0 start|stop|flip legacy|modern" >&2
    exit 2
    ;;
esac
