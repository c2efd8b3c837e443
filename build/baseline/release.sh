#!/usr/bin/env bash
# Builds the baseline release: the bundles of one commit that export versioned packages, with the
# -SNAPSHOT suffix dropped, stored in build/baseline/repo (a Maven repository kept in the tree).
# `mvn verify` checks every exported package against them (bnd-baseline-maven-plugin).
#
#   build/baseline/release.sh COMMIT [VERSION]    VERSION defaults to netpol.baseline.version
#
# Needs what the build needs (JDK 17, Maven, clang for bpf/); MAVEN_REPO names the local Maven
# repository to use (default: Maven's own).
set -euo pipefail
root=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
commit=$(git -C "$root" rev-parse --verify "${1:?usage: $0 COMMIT [VERSION]}^{commit}")
version=${2:-$(sed -n 's|.*<netpol.baseline.version>\(.*\)</netpol.baseline.version>.*|\1|p' "$root/pom.xml")}
repo=$root/build/baseline/repo
mvn=(mvn -B -q ${MAVEN_REPO:+-Dmaven.repo.local=$MAVEN_REPO})
# a release is immutable: Maven caches it by version in every local repository, so a changed
# baseline must carry a new version (and netpol.baseline.version in pom.xml names it)
if grep -qx "version $version" "$repo/RELEASE" 2>/dev/null; then
  echo "baseline $version exists (build/baseline/repo/RELEASE); a new baseline needs a new version" >&2
  exit 1
fi

work=$(mktemp -d /tmp/netpol-baseline-XXXXXX)
cleanup() { git -C "$root" worktree remove --force "$work/src" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
git -C "$root" worktree add --quiet --detach "$work/src" "$commit"
cd "$work/src"

# the release is the commit's sources at VERSION (the parent's own <version> is its first one)
snapshot=$(sed -n '0,/<version>/s|.*<version>\(.*\)</version>.*|\1|p' pom.xml)
find . -name pom.xml -exec sed -i "s|<version>$snapshot</version>|<version>$version</version>|" {} +
# same commit, same jars: entry times and bnd's headers come from the commit, not the clock
stamp=$(git log -1 --format=%cI "$commit")
"${mvn[@]}" package -DskipTests -Dbnd.baseline.skip=true -Dspotless.check.skip=true \
  -Dproject.build.outputTimestamp="$stamp" -pl '!distribution,!itests'

rm -rf "$repo"
released=()
for jar in $(find . -path ./platform/wrappers -prune -o -path '*/target/*' -name "netpol-*-$version.jar" -print | sort); do
  # only bundles with exports have an API to compare
  unzip -p "$jar" META-INF/MANIFEST.MF | grep -q '^Export-Package:' || continue
  artifact=$(basename "$jar" "-$version.jar")
  "${mvn[@]}" deploy:deploy-file -Durl="file://$repo" -DrepositoryId=netpol-baseline \
    -Dfile="$jar" -DgroupId=dev.netpol -DartifactId="$artifact" -Dversion="$version" \
    -Dpackaging=jar -DgeneratePom=true
  released+=("$artifact")
done
printf '%s\n' "commit $commit" "version $version" "${released[@]/#/bundle }" > "$repo/RELEASE"
echo "baseline $version from $commit: ${released[*]}"
