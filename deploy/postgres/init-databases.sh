#!/bin/sh
# Runs once, when the postgres service starts on an empty data folder (docker-entrypoint-initdb.d):
# one database for Dagster's storage and one for the pmu/racing/betting tables, each owned by its own
# role. The names and passwords come from deploy/.env through compose.yaml.
set -eu

create() {
    # $1 role, $2 password, $3 database
    psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
        -v role="$1" -v password="$2" -v db="$3" <<'SQL'
CREATE ROLE :"role" LOGIN PASSWORD :'password';
CREATE DATABASE :"db" OWNER :"role";
REVOKE ALL ON DATABASE :"db" FROM PUBLIC;
SQL
}

create "$DAGSTER_PG_USER" "$DAGSTER_PG_PASSWORD" "$DAGSTER_PG_DB"
create "$HIPPIQUE_DB_USER" "$HIPPIQUE_DB_PASSWORD" "$HIPPIQUE_DB_NAME"
