#!/usr/bin/env bash
# Installs what the test suite needs beyond npm packages, from Debian's packages, only when missing:
# openssl (the checker), gnutls-bin (certtool), slapd and ldap-utils (the LDAP tests start their own slapd; the
# package's own service is not used), pebble, cfssl, bind9, nginx, sshd and chromium, and PostgreSQL 15 (started if it is down). Idempotent and quick
# when everything is present. Runs as root (CI and the dev machines) or through sudo.
set -euo pipefail

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
need=()
command -v openssl >/dev/null || need+=(openssl)
command -v certtool >/dev/null || need+=(gnutls-bin)
[ -x /usr/sbin/slapd ] || need+=(slapd)
command -v ldapmodify >/dev/null || need+=(ldap-utils)
# Real servers that issuer, destination and UI tests start on 127.0.0.1 with their own configuration.
command -v pebble >/dev/null || need+=(pebble)
command -v cfssl >/dev/null || need+=(golang-cfssl)
[ -x /usr/sbin/named ] || need+=(bind9)
command -v dig >/dev/null || need+=(bind9-dnsutils)
[ -x /usr/sbin/nginx ] || need+=(nginx)
[ -x /usr/sbin/sshd ] || need+=(openssh-server)
[ -x /usr/bin/chromium ] || need+=(chromium)
if ! command -v pg_ctlcluster >/dev/null && ! command -v psql >/dev/null; then need+=(postgresql postgresql-contrib); fi
if [ "${#need[@]}" -gt 0 ]; then
  echo "setup: installing ${need[*]}"
  $SUDO apt-get update -qq
  # Through env: sudo would drop the variable, and slapd asks questions without it.
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

pg_up() { (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; }
if ! pg_up; then
  version=$(ls /etc/postgresql 2>/dev/null | sort -n | tail -1)
  if [ -n "$version" ]; then
    echo "setup: starting PostgreSQL $version"
    $SUDO pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
    conf="/etc/postgresql/$version/main/pg_hba.conf"
    # Tests connect as postgres over TCP without a password (trust on loopback only).
    if ! grep -q '^host all all 127.0.0.1/32 trust' "$conf" 2>/dev/null; then
      $SUDO sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' "$conf"
      $SUDO pg_ctlcluster --skip-systemctl-redirect "$version" main reload || true
    fi
  fi
  for _ in $(seq 1 30); do pg_up && break; sleep 1; done
fi
pg_up || { echo "setup: PostgreSQL is not reachable on 127.0.0.1:5432" >&2; exit 1; }
