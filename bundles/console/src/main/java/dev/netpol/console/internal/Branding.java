package dev.netpol.console.internal;

import org.apache.felix.webconsole.spi.BrandingPlugin;

/** The console's title says what it is for; Felix's pictures and styles stay. */
final class Branding implements BrandingPlugin {
  @Override
  public String getBrandName() {
    return "netpol console";
  }

  @Override
  public String getProductName() {
    return "netpol on Apache Felix";
  }

  @Override
  public String getProductURL() {
    return "https://felix.apache.org";
  }

  @Override
  public String getProductImage() {
    return "/res/imgs/logo.png";
  }

  @Override
  public String getVendorName() {
    return "netpol";
  }

  @Override
  public String getVendorURL() {
    return "https://felix.apache.org";
  }

  @Override
  public String getVendorImage() {
    return "/res/imgs/logo.png";
  }

  @Override
  public String getFavIcon() {
    return "/res/imgs/favicon.ico";
  }

  @Override
  public String getMainStyleSheet() {
    return "/res/ui/webconsole.css";
  }
}
