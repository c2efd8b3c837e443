package dev.netpol.watch.internal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.KeyDeserializer;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.deser.std.StringDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.google.common.collect.Interner;
import com.google.common.collect.Interners;
import java.io.IOException;

/**
 * A Jackson module that makes every short string read from the API one shared instance per distinct
 * value. An informer's cache holds thousands of objects whose strings repeat: a node's
 * PolicyEndpoints name the same few hundred pod CIDRs, protocols, namespaces, label keys and
 * values, owner kinds and condition reasons over and over, and each was a string of its own (a
 * quarter of a node agent's live heap at 1,000 policies of 10 rules). Strings are held weakly, so
 * values no object uses any more (old resourceVersions) are collected; long strings (annotations,
 * messages) are left alone, they rarely repeat.
 */
final class SharedStrings extends SimpleModule {
  /** Longer strings are returned as read. */
  static final int MAX_LENGTH = 96;

  private static final long serialVersionUID = 1L;

  private final transient Interner<String> strings = Interners.newWeakInterner();

  SharedStrings() {
    super("netpol-shared-strings");
    addDeserializer(String.class, new Values(this));
    addKeyDeserializer(String.class, new Keys(this));
  }

  String share(String s) {
    return s == null || s.length() > MAX_LENGTH ? s : strings.intern(s);
  }

  /** String values, in beans, lists and maps alike (a custom one replaces Jackson's shortcuts). */
  private static final class Values extends StdScalarDeserializer<String> {
    private static final long serialVersionUID = 1L;
    private final transient SharedStrings shared;

    Values(SharedStrings shared) {
      super(String.class);
      this.shared = shared;
    }

    @Override
    public String deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      if (p.hasToken(JsonToken.VALUE_STRING)) {
        return shared.share(p.getText());
      }
      // numbers, booleans, single-element arrays...: Jackson's own coercions
      return shared.share(StringDeserializer.instance.deserialize(p, ctxt));
    }
  }

  /** Map keys: label and annotation keys repeat on every object. */
  private static final class Keys extends KeyDeserializer {
    private final SharedStrings shared;

    Keys(SharedStrings shared) {
      this.shared = shared;
    }

    @Override
    public Object deserializeKey(String key, DeserializationContext ctxt) {
      return shared.share(key);
    }
  }
}
