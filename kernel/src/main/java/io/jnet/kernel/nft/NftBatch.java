package io.jnet.kernel.nft;

import io.jnet.kernel.netlink.NlWriter;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.stream.Collectors;

import static io.jnet.kernel.nft.Nft.*;

/**
 * The changes of one nf_tables transaction, in order. {@link Nftables#apply} sends them between BATCH_BEGIN and
 * BATCH_END; the kernel applies all of them or, if any fails, none. Adds are idempotent (an existing table, chain
 * or set with the same definition, or an element with the same data, is not an error); deletes fail on a missing
 * object and the {@code destroy*} forms do not.
 */
public final class NftBatch {

    /** Elements per message, so that the elements nest of a message stays within 64 KiB. */
    static final int ELEMENTS_PER_MESSAGE = 64;

    sealed interface Op {
    }

    record AddTable(Table table) implements Op {
    }

    record DeleteTable(Table table, boolean destroy) implements Op {
    }

    record AddChain(Chain chain) implements Op {
    }

    record FlushChain(Table table, String chain) implements Op {
    }

    record DeleteChain(Table table, String chain, boolean destroy) implements Op {
    }

    record AddRule(Rule rule, boolean append) implements Op {
    }

    record DeleteRule(Table table, String chain, long handle) implements Op {
    }

    record AddSet(NftSet set) implements Op {
    }

    record DeleteSet(NftSet set, boolean destroy) implements Op {
    }

    record AddElements(NftSet set, List<Element> elements) implements Op {
    }

    record DeleteElements(NftSet set, List<Element> elements, boolean destroy) implements Op {
    }

    private final List<Op> ops = new ArrayList<>();

    public NftBatch addTable(Table table) {
        return op(new AddTable(table));
    }

    public NftBatch deleteTable(Table table) {
        return op(new DeleteTable(table, false));
    }

    /** Deletes the table with everything in it, if it exists. */
    public NftBatch destroyTable(Table table) {
        return op(new DeleteTable(table, true));
    }

    public NftBatch addChain(Chain chain) {
        return op(new AddChain(chain));
    }

    /** Deletes every rule of the chain. */
    public NftBatch flushChain(Chain chain) {
        return op(new FlushChain(chain.table(), chain.name()));
    }

    /** Deletes an empty chain that no rule jumps to. */
    public NftBatch deleteChain(Chain chain) {
        return op(new DeleteChain(chain.table(), chain.name(), false));
    }

    /** Deletes an empty, unreferenced chain if it exists. */
    public NftBatch destroyChain(Chain chain) {
        return op(new DeleteChain(chain.table(), chain.name(), true));
    }

    /** Appends a rule to its chain. */
    public NftBatch addRule(Rule rule) {
        return op(new AddRule(rule, true));
    }

    /** Inserts a rule at the start of its chain. */
    public NftBatch insertRule(Rule rule) {
        return op(new AddRule(rule, false));
    }

    public NftBatch deleteRule(Table table, String chain, long handle) {
        return op(new DeleteRule(table, chain, handle));
    }

    public NftBatch addSet(NftSet set) {
        return op(new AddSet(set));
    }

    /** Deletes a set or map that no rule refers to. */
    public NftBatch deleteSet(NftSet set) {
        return op(new DeleteSet(set, false));
    }

    /** Deletes an unreferenced set or map if it exists. */
    public NftBatch destroySet(NftSet set) {
        return op(new DeleteSet(set, true));
    }

    public NftBatch addElements(NftSet set, List<Element> elements) {
        return op(new AddElements(set, List.copyOf(elements)));
    }

    public NftBatch addElement(NftSet set, Element element) {
        return addElements(set, List.of(element));
    }

    /** Deletes elements by key; every one of them must exist. */
    public NftBatch deleteElements(NftSet set, List<Element> elements) {
        return op(new DeleteElements(set, List.copyOf(elements), false));
    }

    public NftBatch deleteElement(NftSet set, Element element) {
        return deleteElements(set, List.of(element));
    }

    /** Deletes those of the elements that exist. */
    public NftBatch destroyElements(NftSet set, List<Element> elements) {
        return op(new DeleteElements(set, List.copyOf(elements), true));
    }

    public boolean isEmpty() {
        return ops.isEmpty();
    }

    List<Op> ops() {
        return List.copyOf(ops);
    }

    private NftBatch op(Op op) {
        ops.add(op);
        return this;
    }

    /**
     * Writes the batch and returns what each message does, by sequence number, for error messages. Without kernel
     * support for DESTROY messages (before Linux 6.3) a destroy is written as an add followed by a delete, which
     * succeeds whether or not the object existed.
     */
    Map<Integer, Said> encode(NlWriter w, boolean destroySupported) {
        Map<Integer, Said> what = new LinkedHashMap<>();
        Map<String, Integer> setIds = new HashMap<>();
        NftCodec.SetIds ids = (table, set) -> {
            Integer id = setIds.get(table + " " + set);
            return id == null ? OptionalInt.empty() : OptionalInt.of(id);
        };
        what.put(NftCodec.batchBegin(w), new Said("begin batch"));
        for (Op op : ops) {
            if (op instanceof AddTable o) {
                what.put(NftCodec.newTable(w, o.table()), new Said("add table", o.table()));
            } else if (op instanceof DeleteTable o) {
                if (o.destroy() && !destroySupported) {
                    what.put(NftCodec.newTable(w, o.table()), new Said("destroy table", o.table(), "(add)"));
                }
                int msg = o.destroy() && destroySupported ? MSG_DESTROYTABLE : MSG_DELTABLE;
                what.put(NftCodec.delTable(w, msg, o.table()), new Said(verb(o.destroy()), "table", o.table()));
            } else if (op instanceof AddChain o) {
                what.put(NftCodec.newChain(w, o.chain()), new Said("add", o.chain()));
            } else if (op instanceof FlushChain o) {
                what.put(NftCodec.flushChain(w, o.table(), o.chain()), new Said("flush chain", o.table(), o.chain()));
            } else if (op instanceof DeleteChain o) {
                if (o.destroy() && !destroySupported) {
                    what.put(NftCodec.newChain(w, Chain.regular(o.table(), o.chain())),
                            new Said("destroy chain", o.table(), o.chain(), "(add)"));
                }
                int msg = o.destroy() && destroySupported ? MSG_DESTROYCHAIN : MSG_DELCHAIN;
                what.put(NftCodec.delChain(w, msg, o.table(), o.chain()),
                        new Said(verb(o.destroy()), "chain", o.table(), o.chain()));
            } else if (op instanceof AddRule o) {
                what.put(NftCodec.newRule(w, o.rule(), o.append(), ids), new Said(o.append() ? "add" : "insert", o.rule()));
            } else if (op instanceof DeleteRule o) {
                what.put(NftCodec.delRule(w, MSG_DELRULE, o.table(), o.chain(), o.handle()),
                        new Said("delete rule", o.handle(), "of chain", o.table(), o.chain()));
            } else if (op instanceof AddSet o) {
                int id = setIds.size() + 1;
                setIds.put(o.set().table() + " " + o.set().name(), id);
                what.put(NftCodec.newSet(w, o.set(), id), new Said("add", o.set()));
            } else if (op instanceof DeleteSet o) {
                if (o.destroy() && !destroySupported) {
                    what.put(NftCodec.newSet(w, o.set(), setIds.size() + 1), new Said("destroy", o.set(), "(add)"));
                }
                int msg = o.destroy() && destroySupported ? MSG_DESTROYSET : MSG_DELSET;
                what.put(NftCodec.delSet(w, msg, o.set().table(), o.set().name()), new Said(verb(o.destroy()), o.set()));
            } else if (op instanceof AddElements o) {
                elements(w, what, MSG_NEWSETELEM, "add", o.set(), o.elements(), ids);
            } else if (op instanceof DeleteElements o) {
                if (o.destroy() && !destroySupported) {
                    elements(w, what, MSG_NEWSETELEM, "destroy (add)", o.set(), o.elements(), ids);
                }
                int msg = o.destroy() && destroySupported ? MSG_DESTROYSETELEM : MSG_DELSETELEM;
                elements(w, what, msg, verb(o.destroy()), o.set(), o.elements(), NftCodec.SetIds.NONE);
            } else {
                throw new AssertionError("unencoded operation " + op);
            }
        }
        what.put(NftCodec.batchEnd(w), new Said("end batch"));
        return what;
    }

    /**
     * What one message of an encoded batch does, for error messages. The words are joined only when the text is
     * shown: a rule's text, for one, takes longer to render than the rule takes to encode.
     */
    static final class Said {
        private final Object[] words;

        Said(Object... words) {
            this.words = words;
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder();
            for (Object word : words) {
                sb.append(sb.length() == 0 ? "" : " ").append(word);
            }
            return sb.toString();
        }
    }

    private static String verb(boolean destroy) {
        return destroy ? "destroy" : "delete";
    }

    private static void elements(NlWriter w, Map<Integer, Said> what, int msg, String verb, NftSet set,
                                 List<Element> elements, NftCodec.SetIds ids) {
        boolean adding = msg == MSG_NEWSETELEM;
        for (int from = 0; from < elements.size(); from += ELEMENTS_PER_MESSAGE) {
            List<Element> chunk = elements.subList(from, Math.min(elements.size(), from + ELEMENTS_PER_MESSAGE));
            List<NftCodec.Wire> wire = NftCodec.toWire(set, chunk, adding);
            OptionalInt setId = adding ? ids.of(set.table(), set.name()) : OptionalInt.empty();
            int seq = NftCodec.setElems(w, msg, set, wire, setId);
            what.put(seq, new Said(verb, new Shown(chunk), "of", set));
        }
    }

    /** Up to three elements of a message, as an error message shows them. */
    private record Shown(List<Element> elements) {
        @Override
        public String toString() {
            return describe(elements);
        }
    }

    private static String describe(List<Element> elements) {
        String shown = elements.stream().limit(3).map(e -> "{" + e + "}").collect(Collectors.joining(", "));
        return (elements.size() == 1 ? "element " : elements.size() + " elements ") + shown
                + (elements.size() > 3 ? ", ..." : "");
    }
}
