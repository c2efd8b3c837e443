package dev.netpol.agent.internal;

import dev.netpol.api.BackendHealth;
import dev.netpol.api.EnforcementBackend;
import dev.netpol.api.EnforcementException;
import dev.netpol.api.PodDesiredState;
import dev.netpol.api.PodKey;
import dev.netpol.api.ProgrammedPod;
import dev.netpol.api.status.BackendSwitch;
import dev.netpol.platform.guice.ServiceRef.Registered;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which backend the agent programs, and the hand-over from one to another. Every method that
 * changes something runs on the agent's worker (as a queued task), so no reconcile interleaves with
 * a hand-over and no apply can land on a backend that is no longer active.
 *
 * <p>A hand-over is make-before-break: the new backend is recorded (so its state can be found again
 * after a crash), programs the complete current state of every local pod, drops pods it holds that
 * are gone, and is verified ({@code programmed()} digests equal the desired ones, {@code health()}
 * healthy). Only then does it become active and the old backend {@code release()}s its kernel
 * state. Until then both enforce, so a packet passes only what both allow. If the new one fails,
 * its partial state is released and the old one stays active; the switch's outcome says why.
 *
 * <p>Backends that hold state from earlier (recorded under the data dir, see {@link
 * BackendRecords}) are released the same way once the active one is verified: in process if their
 * bundle is registered, else with the {@code bin/netpol} command they advertised.
 */
final class BackendSwitcher {
  private static final Logger LOG = LoggerFactory.getLogger(BackendSwitcher.class);

  /** What the switcher reads from the agent. */
  interface Env {
    /** Every registered backend with its service properties, highest ranking first. */
    List<Registered<EnforcementBackend>> registered();

    boolean synced();

    /** Every pod the cache knows on this node. */
    Collection<PodKey> localPods();

    /** Marks every known pod for a reconcile (after the active backend changed). */
    void markAll();
  }

  /** Releases a backend's state out of process ({@code bin/netpol ARGS}). */
  interface Releaser {
    void release(String backend, List<String> args) throws Exception;
  }

  /** The active backend and its registration. */
  record Active(EnforcementBackend backend, String name, Object serviceId) {}

  private record Failure(String name, Object serviceId, String detail) {}

  private final Env env;
  private final PodReconciler reconciler;
  private final BackendRecords records;
  private final Releaser releaser;
  private final Clock clock;
  private final AtomicLong switches = new AtomicLong();
  private volatile Active active;
  private volatile String wanted;
  private volatile String wantedBy;
  private String lastSetting;
  private volatile Failure failed;
  private volatile BackendSwitch last;
  private volatile String releaseProblem = "";
  private final Instant fallbackAfter;
  private Instant goneSince;
  private String warnedAbout;

  /** How long ensure() leaves a vanished active backend to its unregistering event. */
  static final Duration GONE_GRACE = Duration.ofSeconds(5);

  BackendSwitcher(
      Env env,
      PodReconciler reconciler,
      BackendRecords records,
      Releaser releaser,
      Clock clock,
      String wanted,
      Duration fallbackGrace) {
    this.env = env;
    this.fallbackAfter = clock.instant().plus(fallbackGrace);
    this.reconciler = reconciler;
    this.records = records;
    this.releaser = releaser;
    this.clock = clock;
    this.wanted = wanted;
    this.lastSetting = wanted;
    this.wantedBy = "setting netpol.backend";
  }

  /** The backend to program now, or null (worker and status readers). */
  EnforcementBackend active() {
    Active a = active;
    return a == null ? null : a.backend();
  }

  /** Whether the backend registered with {@code serviceId} is the active one. */
  boolean isActive(Object serviceId) {
    Active a = active;
    return a != null && Objects.equals(a.serviceId(), serviceId);
  }

  String activeName() {
    Active a = active;
    return a == null ? "" : a.name();
  }

  String wanted() {
    return wanted;
  }

  String wantedBy() {
    return wantedBy;
  }

  long switches() {
    return switches.get();
  }

  Optional<BackendSwitch> lastSwitch() {
    return Optional.ofNullable(last);
  }

  /** Backends whose state is recorded but that are not active, with what keeps it from release. */
  Map<String, String> leftovers() {
    Map<String, String> out = new TreeMap<>();
    String a = activeName();
    records
        .all()
        .forEach(
            (name, args) -> {
              if (!name.equals(a)) {
                out.put(name, releaseProblem.isEmpty() ? "release pending" : releaseProblem);
              }
            });
    return out;
  }

  /** Why the wanted backend is not active, if it is not; empty otherwise. */
  String problem() {
    Failure f = failed;
    if (f != null && f.name().equals(wanted)) {
      return "switch to " + f.name() + " failed: " + f.detail();
    }
    if (!wanted.equals(activeName()) && find(wanted).isEmpty()) {
      return "backend " + wanted + " is not registered";
    }
    return "";
  }

  /** The setting {@code netpol.backend} now has {@code value} (worker). */
  void settingChanged(String value) {
    if (value.equals(lastSetting)) {
      return; // another setting changed; a switch asked for by command stays
    }
    lastSetting = value;
    LOG.info("netpol.backend is now {}; the agent follows it", value);
    wanted = value;
    wantedBy = "setting netpol.backend";
    failed = null;
    ensure();
  }

  /**
   * Converges on the wanted backend (worker): adopts it, hands over to it, pauses when the active
   * one is gone, releases leftovers. Level-triggered: runs after any change and at every resync.
   */
  void ensure() {
    Active a = active;
    if (a != null && !isRegistered(a.serviceId())) {
      // Its unregistering event hands over or pauses while it is still usable (unregistering());
      // this is only the safety net if that never came.
      Instant now = clock.instant();
      if (goneSince == null) {
        goneSince = now;
      }
      if (Duration.between(goneSince, now).compareTo(GONE_GRACE) < 0) {
        return;
      }
      pause(a, "is gone");
      a = null;
    }
    Registered<EnforcementBackend> target = choose();
    if (target == null || !env.synced()) {
      return; // nothing to program into yet, or the desired state is not known yet
    }
    if (!name(target).equals(wanted) && !wanted.equals(warnedAbout)) {
      warnedAbout = wanted;
      LOG.warn(
          "backend {} ({}) is not registered (available: {}); {} is used until it is",
          wanted,
          wantedBy,
          String.join(", ", available()),
          name(target));
    }
    if (a != null && Objects.equals(a.serviceId(), id(target))) {
      releaseLeftovers(a.name());
      return;
    }
    Failure f = failed;
    if (f != null && f.name().equals(name(target)) && Objects.equals(f.serviceId(), id(target))) {
      return; // not retried until the backend re-registers or another switch is asked for
    }
    if (a == null && othersHoldState(name(target)).isEmpty() && !displaces(target)) {
      adopt(target);
      return;
    }
    handOver(
        target,
        a == null
            ? "taking over from "
                + (displaces(target)
                    ? name(target) + " recorded with " + records.get(name(target)).orElseThrow()
                    : othersHoldState(name(target)))
            : "switch");
  }

  /** {@code AgentControl.switchBackend}: an explicit request (worker). */
  BackendSwitch switchTo(String name) {
    Instant now = clock.instant();
    Optional<Registered<EnforcementBackend>> target = find(name);
    if (target.isEmpty()) {
      return record(
          new BackendSwitch(
              activeName(),
              name,
              "failed",
              0,
              now,
              now,
              "no backend named '"
                  + name
                  + "' is registered (available: "
                  + String.join(", ", available())
                  + ")"));
    }
    if (!env.synced()) {
      return record(
          new BackendSwitch(
              activeName(),
              name,
              "failed",
              0,
              now,
              now,
              "the pod and PolicyEndpoint caches have not synced yet; try again"));
    }
    Active a = active;
    if (a != null && Objects.equals(a.serviceId(), id(target.get()))) {
      wanted = name;
      wantedBy = "command";
      releaseLeftovers(name);
      return new BackendSwitch(
          name,
          name,
          "done",
          reconciler.programmed().size(),
          now,
          now,
          name + " is already active");
    }
    String before = wanted;
    String beforeBy = wantedBy;
    wanted = name;
    wantedBy = "command";
    failed = null;
    BackendSwitch s;
    if (a == null && othersHoldState(name).isEmpty() && !displaces(target.get())) {
      adopt(target.get());
      s =
          new BackendSwitch(
              "",
              name,
              "done",
              reconciler.programmed().size(),
              now,
              clock.instant(),
              "no backend was active; " + name + " adopted");
    } else {
      s = handOver(target.get(), "switch requested");
    }
    if (!"done".equals(s.outcome())) {
      wanted = before; // a failed request leaves everything as it was
      wantedBy = beforeBy;
    }
    return s;
  }

  /**
   * The backend with {@code serviceId} is unregistering (its bundle stops), called synchronously in
   * the framework's thread through a task (worker): while it is still usable, hand over to another
   * registered backend, or pause with its kernel state enforcing.
   */
  void unregistering(Object serviceId) {
    Active a = active;
    if (a == null || !Objects.equals(a.serviceId(), serviceId)) {
      return;
    }
    Optional<Registered<EnforcementBackend>> other =
        env.registered().stream()
            .filter(r -> !Objects.equals(id(r), serviceId))
            .sorted((x, y) -> Boolean.compare(name(y).equals(wanted), name(x).equals(wanted)))
            .findFirst();
    if (other.isPresent() && env.synced()) {
      BackendSwitch s = handOver(other.get(), a.name() + " is stopping");
      if ("done".equals(s.outcome())) {
        return;
      }
    }
    pause(a, "is stopping");
  }

  private void pause(Active a, String why) {
    active = null;
    goneSince = null;
    reconciler.forgetProgrammed();
    LOG.warn(
        "backend {} {}: programming paused; its kernel state keeps enforcing until another backend"
            + " takes over",
        a.name(),
        why);
    env.markAll();
  }

  private void adopt(Registered<EnforcementBackend> target) {
    String name = name(target);
    records.record(name, BackendRecords.releaseArgs(target.properties()));
    active = new Active(target.service(), name, id(target));
    goneSince = null;
    int held = reconciler.adopt(target.service()).size();
    LOG.info("backend {} is active ({} pods already programmed in it)", name, held);
    env.markAll();
  }

  /** The hand-over itself; the outcome is also kept for status. */
  private BackendSwitch handOver(Registered<EnforcementBackend> target, String trigger) {
    Active from = active;
    String to = name(target);
    EnforcementBackend next = target.service();
    String fromName = from == null ? "" : from.name();
    Instant started = clock.instant();
    last = new BackendSwitch(fromName, to, "running", 0, started, null, trigger);
    LOG.info(
        "backend switch {} -> {} ({}): programming every pod on {}",
        fromName.isEmpty() ? "(none)" : fromName,
        to,
        trigger,
        to);
    records.record(to, BackendRecords.releaseArgs(target.properties()));
    Map<PodKey, String> desired = new TreeMap<>();
    String problem = programAll(next, desired);
    if (problem == null) {
      problem = verify(next, desired);
    }
    if (problem != null) {
      String rollback = "";
      try {
        next.release();
        records.forget(to);
      } catch (Exception e) {
        rollback = "; releasing its partial state failed too: " + e.getMessage();
      }
      failed = new Failure(to, id(target), problem + rollback);
      LOG.error(
          "backend switch {} -> {} failed: {}{}; {}",
          fromName.isEmpty() ? "(none)" : fromName,
          to,
          problem,
          rollback,
          from == null ? "no backend is active" : fromName + " stays active");
      return record(
          new BackendSwitch(
              fromName,
              to,
              "failed",
              0,
              started,
              clock.instant(),
              problem + rollback + (from == null ? "" : "; " + fromName + " stays active")));
    }
    active = new Active(next, to, id(target));
    goneSince = null;
    reconciler.adopt(next);
    failed = null;
    switches.incrementAndGet();
    String released = "";
    if (from != null && !from.name().equals(to)) {
      released = release(from.name(), Optional.of(from.backend()));
    }
    String leftovers = releaseLeftovers(to);
    Instant done = clock.instant();
    String detail =
        desired.size()
            + " pods programmed and verified on "
            + to
            + " in "
            + Duration.between(started, done).toMillis()
            + " ms"
            + (from == null ? "" : "; " + released)
            + (leftovers.isEmpty() ? "" : "; " + leftovers);
    LOG.info(
        "backend switch {} -> {} done: {}", fromName.isEmpty() ? "(none)" : fromName, to, detail);
    env.markAll();
    return record(new BackendSwitch(fromName, to, "done", desired.size(), started, done, detail));
  }

  /** Programs every local pod on {@code next}; returns what went wrong, or null. */
  private String programAll(EnforcementBackend next, Map<PodKey, String> desired) {
    TreeSet<PodKey> keys = new TreeSet<>(env.localPods());
    List<PodDesiredState> states = new ArrayList<>();
    for (PodKey key : keys) {
      PodReconciler.Plan plan = reconciler.plan(key, true);
      if (plan instanceof PodReconciler.Plan.Wait w) {
        if (w.retry()) {
          continue; // no interface yet: nothing is programmed for it anywhere
        }
        return "pod " + key + ": " + w.reason();
      }
      if (plan instanceof PodReconciler.Plan.Apply a) {
        states.add(new PodDesiredState(a.endpoint(), a.policy()));
        desired.put(key, a.policy().digest());
      }
    }
    // every pod in one batch: a backend with whole-ruleset transactions programs them in one
    Map<PodKey, EnforcementException> failed;
    try {
      failed = next.applyAll(states);
    } catch (RuntimeException e) {
      return "programming " + states.size() + " pods: " + e.getMessage();
    }
    if (!failed.isEmpty()) {
      Map.Entry<PodKey, EnforcementException> first = failed.entrySet().iterator().next();
      return "pod "
          + first.getKey()
          + ": "
          + first.getValue().getMessage()
          + (failed.size() > 1 ? " (and " + (failed.size() - 1) + " more pods)" : "");
    }
    try {
      for (PodKey stale : next.programmed().keySet()) {
        if (!desired.containsKey(stale)) {
          next.remove(stale);
        }
      }
    } catch (Exception e) {
      return "removing pods that are gone: " + e.getMessage();
    }
    return null;
  }

  /** Checks the new backend against the desired digests and its health; null if it matches. */
  private static String verify(EnforcementBackend next, Map<PodKey, String> desired) {
    Map<PodKey, ProgrammedPod> got;
    try {
      got = next.programmed();
    } catch (RuntimeException e) {
      return "verification: cannot read what is programmed: " + e.getMessage();
    }
    List<String> wrong = new ArrayList<>();
    desired.forEach(
        (k, digest) -> {
          ProgrammedPod p = got.get(k);
          if (p == null) {
            wrong.add(k + " is missing");
          } else if (!digest.equals(p.policyDigest())) {
            wrong.add(k + " has " + p.policyDigest() + ", not " + digest);
          }
        });
    for (PodKey k : got.keySet()) {
      if (!desired.containsKey(k)) {
        wrong.add(k + " is programmed but not wanted");
      }
    }
    if (!wrong.isEmpty()) {
      return "verification: "
          + String.join("; ", wrong.subList(0, Math.min(5, wrong.size())))
          + (wrong.size() > 5 ? " (and " + (wrong.size() - 5) + " more)" : "");
    }
    BackendHealth h;
    try {
      h = next.health();
    } catch (RuntimeException e) {
      return "health: " + e.getMessage();
    }
    return h.healthy() ? null : "health: " + h.detail();
  }

  /** Releases every recorded backend but {@code keep}; returns a summary of what was not. */
  private String releaseLeftovers(String keep) {
    List<String> notes = new ArrayList<>();
    for (String name : records.all().keySet()) {
      if (!name.equals(keep)) {
        notes.add(release(name, find(name).map(Registered::service)));
      }
    }
    return String.join("; ", notes);
  }

  /** Releases one backend's state, in process if possible; returns a one-line outcome. */
  private String release(String name, Optional<EnforcementBackend> inProcess) {
    try {
      if (inProcess.isPresent()) {
        inProcess.get().release();
      } else {
        List<String> args = records.get(name).orElse(List.of());
        if (args.isEmpty()) {
          String why =
              name
                  + "'s kernel state is left: its bundle is not running and it advertised no"
                  + " release command ("
                  + BackendRecords.RELEASE_PROPERTY
                  + "); start its bundle to release it";
          releaseProblem = why;
          LOG.warn("backend {}: {}", name, why);
          return why;
        }
        releaser.release(name, args);
      }
      records.forget(name);
      releaseProblem = "";
      LOG.info("backend {}: kernel state released", name);
      return name + " released";
    } catch (Exception e) {
      String why = "releasing " + name + " failed: " + e.getMessage() + " (retried at resync)";
      releaseProblem = why;
      LOG.error("backend {}: {}", name, why);
      return why;
    }
  }

  /**
   * Whether {@code target} was recorded with other release arguments: the same backend on other
   * kernel objects (another pin root), whose state must be handed over from, not adopted.
   */
  private boolean displaces(Registered<EnforcementBackend> target) {
    List<String> before = records.get(name(target)).orElse(List.of());
    return !before.isEmpty() && !before.equals(BackendRecords.releaseArgs(target.properties()));
  }

  private List<String> othersHoldState(String target) {
    List<String> out = new ArrayList<>();
    for (String name : records.all().keySet()) {
      if (!name.equals(target)) {
        out.add(name);
      }
    }
    return out;
  }

  private BackendSwitch record(BackendSwitch s) {
    last = s;
    return s;
  }

  /** Names of the registered backends. */
  List<String> available() {
    return env.registered().stream().map(BackendSwitcher::name).distinct().sorted().toList();
  }

  Optional<Registered<EnforcementBackend>> find(String name) {
    return env.registered().stream().filter(r -> name(r).equals(name)).findFirst();
  }

  /**
   * The wanted backend if registered; else the active one if still registered; else any other (once
   * the start-up grace has passed, so that a profile with several backends does not adopt whichever
   * registers first).
   */
  private Registered<EnforcementBackend> choose() {
    List<Registered<EnforcementBackend>> all = env.registered();
    for (Registered<EnforcementBackend> r : all) {
      if (name(r).equals(wanted)) {
        return r;
      }
    }
    Active a = active;
    if (a != null) {
      for (Registered<EnforcementBackend> r : all) {
        if (Objects.equals(id(r), a.serviceId())) {
          return r;
        }
      }
    }
    if (all.isEmpty() || clock.instant().isBefore(fallbackAfter)) {
      return null;
    }
    return all.get(0);
  }

  private boolean isRegistered(Object serviceId) {
    return env.registered().stream().anyMatch(r -> Objects.equals(id(r), serviceId));
  }

  static String name(Registered<EnforcementBackend> r) {
    Object n = r.properties().get(EnforcementBackend.NAME_PROPERTY);
    return n == null ? r.service().name() : String.valueOf(n);
  }

  static Object id(Registered<EnforcementBackend> r) {
    Object id = r.properties().get("service.id");
    return id == null ? System.identityHashCode(r.service()) : id;
  }
}
