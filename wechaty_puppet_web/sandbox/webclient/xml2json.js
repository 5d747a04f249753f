/* $.xml2json: the jQuery plugin the real vendor chunk carries (our own implementation).
 *
 * Shape (what the web client's use of the results implies, see webclient-surface.md §3.8):
 * - the root element is unwrapped: $.xml2json('<msg><appmsg>…') gives {appmsg: …};
 * - attributes become properties (<emoji md5="x"/> gives {md5: "x"});
 * - an element with only text (or CDATA) and no attributes becomes that string, an empty one "";
 * - an element with attributes and text keeps the text under `text`;
 * - repeated children with the same name become an array.
 * Malformed XML throws (utilFactory.xml2json catches and returns {}).
 */
(function ($) {
  'use strict';

  function textOf(node) {
    var out = '';
    for (var i = 0; i < node.childNodes.length; i++) {
      var c = node.childNodes[i];
      if (c.nodeType === 3 || c.nodeType === 4) {
        out += c.nodeValue;
      }
    }
    return out;
  }

  function convert(node) {
    var obj = {};
    var hasAttr = false;
    var hasChild = false;
    var i;
    for (i = 0; i < node.attributes.length; i++) {
      obj[node.attributes[i].name] = node.attributes[i].value;
      hasAttr = true;
    }
    for (i = 0; i < node.childNodes.length; i++) {
      var c = node.childNodes[i];
      if (c.nodeType !== 1) {
        continue;
      }
      hasChild = true;
      var value = convert(c);
      var name = c.nodeName;
      if (Object.prototype.hasOwnProperty.call(obj, name)) {
        if (!$.isArray(obj[name]) || !obj['$$multi_' + name]) {
          obj[name] = [obj[name]];
          Object.defineProperty(obj, '$$multi_' + name, {value: true, enumerable: false});
        }
        obj[name].push(value);
      } else {
        obj[name] = value;
      }
    }
    if (!hasChild) {
      var text = textOf(node);
      if (!hasAttr) {
        return text;
      }
      if (text) {
        obj.text = text;
      }
    }
    return obj;
  }

  $.xml2json = function (xml) {
    var doc = typeof xml === 'string' ? new DOMParser().parseFromString(xml, 'text/xml') : xml;
    if (!doc || !doc.documentElement || doc.getElementsByTagName('parsererror').length) {
      throw new Error('xml2json: malformed XML');
    }
    var root = convert(doc.documentElement);
    return typeof root === 'string' ? {} : root;
  };
})(window.jQuery);
