#!/usr/bin/env bash
# Bearer tokens of the gateway (docs/security.md). A token is 256 random bits, shown once; the token
# file the gateway reads (CONVNET_AUTH_TOKENS_FILE, re-read while it runs) keeps only its SHA-256,
# one '<name> <role> sha256:<hex>' per line. Roles: reader < trainer < admin.
#   ./token.sh add --role trainer [--name ci]      prints a new token (stdout); its hash goes into the file
#   ./token.sh list                                 names and roles
#   ./token.sh remove ci                            revokes it (the gateway notices within seconds)
#   ./token.sh ensure --name admin --role admin --save run/admin.token
#                                                   what run.sh does: the token saved there (mode 600), made
#                                                   on first use, is in the file
# Every command takes --file FILE: default $CONVNET_AUTH_TOKENS_FILE, else $CONVNET_RUN_DIR/tokens, else run/tokens
# beside this script (where run.sh keeps it).
# For Kubernetes, put the file in a Secret: kubectl -n convnet create secret generic convnet-gateway-tokens
# --from-file=tokens=FILE (k8s/README.md).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

die() { echo "token.sh: $*" >&2; exit 2; }
usage() { sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; }

command=${1:-}
[ -n "$command" ] || { usage; exit 2; }
shift
name= role= save= target=
file=${CONVNET_AUTH_TOKENS_FILE:-${CONVNET_RUN_DIR:-$here/run}/tokens}
while [ $# -gt 0 ]; do
  case $1 in
    --role) role=${2:-}; shift 2 || die "--role needs a value" ;;
    --name) name=${2:-}; shift 2 || die "--name needs a value" ;;
    --save) save=${2:-}; shift 2 || die "--save needs a value" ;;
    --file) file=${2:-}; shift 2 || die "--file needs a value" ;;
    -h|--help) usage; exit 0 ;;
    -*) die "unknown option $1" ;;
    *) [ -z "$target" ] || die "one name at a time"; target=$1; shift ;;
  esac
done

new_token() { printf 'cnv_%s' "$(head -c 32 /dev/urandom | od -An -vtx1 | tr -d ' \n')"; }
hash_of() { printf '%s' "$1" | sha256sum | cut -d' ' -f1; }
check_role() {
  case $role in reader|trainer|admin) ;; *) die "--role must be reader, trainer or admin" ;; esac
}
check_name() {
  [[ $name =~ ^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$ ]] || die "a name is 1-64 letters, digits, '.', '_', '@' or '-'"
}
# The file's lines without those of $1 (and with the header a new file gets).
lines_without() {
  if [ -f "$file" ]; then
    awk -v n="$1" '$1 != n' "$file"
  else
    echo "# bearer tokens of the convnet gateway: <name> <role> sha256:<hex> (written by token.sh)"
  fi
}
# Replaces the file with stdin, atomically (the gateway never reads half a file), mode 600.
write_file() {
  mkdir -p "$(dirname "$file")"
  local tmp
  tmp=$(umask 077 && mktemp "$(dirname "$file")/.tokens.XXXXXX")
  cat >"$tmp"
  chmod 600 "$tmp"
  mv -f "$tmp" "$file"
}
has_name() { [ -f "$file" ] && awk -v n="$1" '$1 == n {found = 1} END {exit !found}' "$file"; }

case $command in
  add)
    check_role
    name=${name:-${target:-$role-$(date +%Y%m%d-%H%M%S)}}
    check_name
    has_name "$name" && die "$name is in $file already: remove it first, or pick another --name"
    token=$(new_token)
    { lines_without "$name"; echo "$name $role sha256:$(hash_of "$token")"; } | write_file
    echo "token.sh: a $role token named $name; $file keeps only its hash, so copy it now:" >&2
    echo "$token"
    ;;
  ensure)
    check_role
    name=${name:-$target}
    [ -n "$name" ] && [ -n "$save" ] || die "ensure needs --name and --save"
    check_name
    if [ -s "$save" ]; then
      token=$(tr -d ' \n\r' <"$save")
    else
      token=$(new_token)
      mkdir -p "$(dirname "$save")"
      (umask 077 && printf '%s\n' "$token" >"$save")
    fi
    chmod 600 "$save"
    line="$name $role sha256:$(hash_of "$token")"
    if ! grep -qxF "$line" "$file" 2>/dev/null; then
      { lines_without "$name"; echo "$line"; } | write_file
    fi
    ;;
  list)
    [ -f "$file" ] || die "no token file $file"
    awk '!/^#/ && NF {print $1, $2}' "$file"
    ;;
  remove)
    name=${name:-$target}
    [ -n "$name" ] || die "remove which token? ./token.sh remove NAME"
    has_name "$name" || die "no token named $name in $file"
    lines_without "$name" | write_file
    echo "token.sh: removed $name from $file" >&2
    ;;
  *) usage; exit 2 ;;
esac
