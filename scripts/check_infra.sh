#!/usr/bin/env bash
# Offline checks of infra/: terraform fmt, the provider-schema check, checkov and the hashed runtime lock.
# Exits non-zero on any failure.
#
# Environment (all optional):
#   PYTHON          interpreter with python-hcl2 (default .venv/bin/python)
#   CHECKOV_PYTHON  interpreter used to create .venv-checkov (default python3)
#   FULL_SCHEMA     full provider schema; when the file exists the committed subset is verified against it
#                   (default ../shared/terraform/google-provider-6.50.0.schema.json.gz, relative to the repo root)
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

PYTHON="${PYTHON:-.venv/bin/python}"
CHECKOV_PYTHON="${CHECKOV_PYTHON:-python3}"
CHECKOV_VERSION="3.3.30"
CHECKOV_VENV=".venv-checkov"
FULL_SCHEMA="${FULL_SCHEMA:-../shared/terraform/google-provider-6.50.0.schema.json.gz}"

failures=()

# step NAME COMMAND...: run one check, time it, remember a failure and carry on so every problem is shown.
step() {
    local name="$1"
    shift
    local start=$SECONDS
    echo "== ${name}"
    if "$@"; then
        echo "== ${name}: ok ($((SECONDS - start)) s)"
    else
        echo "== ${name}: FAILED ($((SECONDS - start)) s)"
        failures+=("${name}")
    fi
}

# checkov lives in its own virtualenv: its pins would downgrade packages of the project's venv, and it ships
# an `hcl2` module that clashes with python-hcl2. The marker file is written only after a successful install,
# so an interrupted or failed install is thrown away and redone on the next run.
ensure_checkov() {
    local marker="${CHECKOV_VENV}/.installed-checkov-${CHECKOV_VERSION}"
    if [[ -f "${marker}" && -x "${CHECKOV_VENV}/bin/checkov" ]]; then
        return 0
    fi
    echo "installing checkov ${CHECKOV_VERSION} into ${CHECKOV_VENV} (one-off)"
    rm -rf "${CHECKOV_VENV}"
    "${CHECKOV_PYTHON}" -m venv "${CHECKOV_VENV}" || return 1
    "${CHECKOV_VENV}/bin/python" -m pip install --quiet --quiet --disable-pip-version-check "checkov==${CHECKOV_VERSION}" \
        || return 1
    touch "${marker}"
}

run_checkov() {
    ensure_checkov || return 1
    # --skip-download: no module or guideline downloads (offline); failed checks make checkov exit non-zero.
    "${CHECKOV_VENV}/bin/checkov" --skip-download --framework terraform -d infra --quiet --compact
}

schema_subset_current() {
    if [[ -f "${FULL_SCHEMA}" ]]; then
        "${PYTHON}" scripts/derive_tf_schema.py --check --full-schema "${FULL_SCHEMA}"
    else
        echo "note: ${FULL_SCHEMA} not found; the committed schema subset is used as it is"
    fi
}

# --install-checkov: only make checkov's virtualenv ready (.ci/run does it while the project's venv is built).
if [[ "${1:-}" == "--install-checkov" ]]; then
    ensure_checkov
    exit
fi

total_start=$SECONDS
step "terraform fmt" terraform fmt -check -recursive -diff infra
step "schema subset up to date" schema_subset_current
step "provider schema check" "${PYTHON}" scripts/check_tf_schema.py infra
step "checkov" run_checkov
step "runtime lock up to date" "${PYTHON}" scripts/lock_requirements.py --check

echo "== check_infra: $((SECONDS - total_start)) s"
if ((${#failures[@]})); then
    echo "check_infra FAILED: ${failures[*]}"
    exit 1
fi
echo "check_infra: all checks passed"
